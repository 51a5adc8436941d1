// Command gotemplate-oracle runs the Go-language rows of test/agent/gotemplate/conformance.json
// through Go's own text/template and prints every row whose output or error differs from the
// expected value in the table. Standard library only; run by hand, not in CI:
//
//	go run ./scripts/gotemplate-oracle test/agent/gotemplate/conformance.json
//	go run ./scripts/gotemplate-oracle -consul test/agent/gotemplate/conformance.json
//
// With -consul it checks consul-template's rows instead, against the stand-ins in consul.go
// (rows for functions they do not cover are reported as "not defined" and can be ignored).
// Rows for consul-template's functions and for Lockbox's own refusals are skipped, and rows
// for features newer than the local Go (range over int: 1.22, else with: 1.23) are reported
// with their note so they can be told apart.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

type row struct {
	T          string          `json:"t"`
	Data       *string         `json:"data"`
	JS         json.RawMessage `json:"js"`
	MissingKey string          `json:"missingKey"`
	Name       string          `json:"name"`
	Left       string          `json:"left"`
	Right      string          `json:"right"`
	Out        *string         `json:"out"`
	Err        *string         `json:"err"`
	Note       string          `json:"note"`
	Source     string          `json:"source"`
}

// plain converts decoded JSON the way the JS side reads its "js" rows: integral numbers are
// Go ints, other numbers float64.
func plain(v interface{}) interface{} {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
		return x
	case []interface{}:
		for i := range x {
			x[i] = plain(x[i])
		}
		return x
	case map[string]interface{}:
		for k := range x {
			x[k] = plain(x[k])
		}
		return x
	}
	return v
}

var useConsul bool

func run(r row) string {
	var data interface{}
	if r.Data != nil {
		dec := json.NewDecoder(strings.NewReader(*r.Data))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return "BAD DATA " + err.Error()
		}
	} else if len(r.JS) > 0 {
		if err := json.Unmarshal(r.JS, &data); err != nil {
			return "BAD DATA " + err.Error()
		}
		data = plain(data)
	}
	t := template.New(r.Name).Delims(r.Left, r.Right)
	if useConsul {
		t.Funcs(consulFuncs)
	}
	mk := r.MissingKey
	if mk == "" {
		mk = "default"
	}
	t.Option("missingkey=" + mk)
	if _, err := t.Parse(r.T); err != nil {
		return "ERR " + err.Error()
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "ERR " + err.Error()
	}
	return b.String()
}

func main() {
	path := "test/agent/gotemplate/conformance.json"
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "-consul" {
		useConsul, args = true, args[1:]
	}
	if len(args) > 0 {
		path = args[0]
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var table struct {
		Rows []row `json:"rows"`
	}
	if err := json.Unmarshal(raw, &table); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	checked, differ := 0, 0
	for i, r := range table.Rows {
		if (!useConsul && r.Source != "go") || (useConsul && r.Source != "consul-template") {
			continue
		}
		want := ""
		if r.Err != nil {
			want = "ERR " + *r.Err
			if strings.Contains(*r.Err, "not supported by lockbox agent") {
				continue
			}
		} else if r.Out != nil {
			want = *r.Out
		}
		checked++
		if got := run(r); got != want {
			differ++
			line, _ := json.Marshal(map[string]string{"row": fmt.Sprint(i), "t": r.T, "want": want, "got": got, "note": r.Note})
			fmt.Println(string(line))
		}
	}
	fmt.Fprintf(os.Stderr, "%d rows checked, %d differ\n", checked, differ)
	if differ > 0 {
		os.Exit(1)
	}
}
