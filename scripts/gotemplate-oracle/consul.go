package main

// Thin stand-ins for consul-template's pure helpers, written from its documentation, so the
// consul-template rows can be checked against Go's own encoding/json, strconv, regexp and
// encoding/base64 (run with -consul). toYAML and the math helpers are left to their rows.

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

func wrap(name string, err error) error { return fmt.Errorf("%s: %w", name, err) }

func encodeJSON(v interface{}, html bool, indent string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimRight(b.String(), "\r\n"), nil
}

var consulFuncs = template.FuncMap{
	"toJSON":                func(v interface{}) (string, error) { return encodeJSON(v, true, "") },
	"toJSONPretty":          func(v interface{}) (string, error) { return encodeJSON(v, true, "  ") },
	"toUnescapedJSON":       func(v interface{}) (string, error) { return encodeJSON(v, false, "") },
	"toUnescapedJSONPretty": func(v interface{}) (string, error) { return encodeJSON(v, false, "  ") },
	"base64Encode":          func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil },
	"base64URLEncode":       func(s string) (string, error) { return base64.URLEncoding.EncodeToString([]byte(s)), nil },
	"base64Decode": func(s string) (string, error) {
		v, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "", wrap("base64Decode", err)
		}
		return string(v), nil
	},
	"base64URLDecode": func(s string) (string, error) {
		v, err := base64.URLEncoding.DecodeString(s)
		if err != nil {
			return "", wrap("base64URLDecode", err)
		}
		return string(v), nil
	},
	"parseBool": func(s string) (bool, error) {
		if s == "" {
			return false, nil
		}
		v, err := strconv.ParseBool(s)
		if err != nil {
			return false, wrap("parseBool", err)
		}
		return v, nil
	},
	"parseInt": func(s string) (int64, error) {
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, wrap("parseInt", err)
		}
		return v, nil
	},
	"parseUint": func(s string) (uint64, error) {
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, wrap("parseUint", err)
		}
		return v, nil
	},
	"parseFloat": func(s string) (float64, error) {
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, wrap("parseFloat", err)
		}
		return v, nil
	},
	"parseJSON": func(s string) (interface{}, error) {
		if s == "" {
			return map[string]interface{}{}, nil
		}
		var v interface{}
		err := json.Unmarshal([]byte(s), &v)
		return v, err
	},
	"regexMatch": func(re, s string) (bool, error) {
		c, err := regexp.Compile(re)
		if err != nil {
			return false, err
		}
		return c.MatchString(s), nil
	},
	"regexReplaceAll": func(re, pl, s string) (string, error) {
		c, err := regexp.Compile(re)
		if err != nil {
			return "", err
		}
		return c.ReplaceAllString(s, pl), nil
	},
	"replaceAll": func(f, t, s string) (string, error) { return strings.Replace(s, f, t, -1), nil },
	"split": func(sep, s string) ([]string, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return []string{}, nil
		}
		return strings.Split(s, sep), nil
	},
	"join":       func(sep string, a []string) (string, error) { return strings.Join(a, sep), nil },
	"trim":       func(c, s string) (string, error) { return strings.Trim(s, c), nil },
	"trimPrefix": func(p, s string) (string, error) { return strings.TrimPrefix(s, p), nil },
	"trimSuffix": func(p, s string) (string, error) { return strings.TrimSuffix(s, p), nil },
	"trimSpace":  func(s string) (string, error) { return strings.TrimSpace(s), nil },
	"toLower":    func(s string) (string, error) { return strings.ToLower(s), nil },
	"toUpper":    func(s string) (string, error) { return strings.ToUpper(s), nil },
	"sha256Hex": func(s string) (string, error) {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:]), nil
	},
	"md5sum": func(s string) (string, error) { return fmt.Sprintf("%x", md5.Sum([]byte(s))), nil },
}
