# Rows for consul-template's pure functions, written from its documentation and source
# (template/funcs.go): argument order built for pipes, Go types, errors wrapped with the
# function's name and prefixed by "error calling f: " by text/template.
SOURCE = "consul-template"
D = '{"a":"x<&>","z":1,"port":5432,"f":1.50,"list":["a","b"],"m":{"k":null,"b":2},"s":"  hi  ","csv":"a,b,c","n":null,"big":12345678901234567890}'
rows = []
def r(t, out=None, err=None, data=D, js=None, note=None):
    row = {"t": t}
    if js is not None: row["js"] = js
    else: row["data"] = data
    if out is not None: row["out"] = out
    if err is not None: row["err"] = err
    if note: row["note"] = note
    rows.append(row)

E = lambda col, ctx, msg: f'template: :1:{col}: executing "" at <{ctx}>: {msg}'
# JSON
r("{{ toJSON .m }}", '{"b":2,"k":null}', note="toJSON sorts keys")
r("{{ toJSON .a }}", '"x\\u003c\\u0026\\u003e"', note="toJSON escapes <>& like Go")
r("{{ toUnescapedJSON .a }}", '"x<&>"')
r("{{ toJSON .f }} {{ toJSON .big }}", "1.50 12345678901234567890", note="json.Number keeps its literal")
r("{{ toJSON .list }}", '["a","b"]')
r("{{ toJSON .missing }}", "null")
r("{{ toJSON \"a\\u2028\\n\\t\\u0001\" }}", '"a\\u2028\\n\\t\\u0001"')
r("{{ toJSONPretty .m }}", '{\n  "b": 2,\n  "k": null\n}')
r("{{ toJSONPretty .list }}", '[\n  "a",\n  "b"\n]')
r("{{ toUnescapedJSONPretty . }}", '{\n  "a": "<>",\n  "e": {},\n  "l": []\n}', data='{"l":[],"e":{},"a":"<>"}')
r("{{ toJSON 1.5 }} {{ toJSON 1e21 }} {{ toJSON 0.0000001 }} {{ toJSON 100.0 }}", "1.5 1e+21 1e-7 100")
r("{{ toJSON (parseJSON \"{\\\"b\\\":1,\\\"a\\\":[true,null]}\") }}", '{"a":[true,null],"b":1}')
# YAML
r("{{ toYAML .m }}", "b: 2\nk: null")
r("{{ toYAML . }}", "a: 1\nlist:\n- x\n- y z\nm:\n  k: v", data='{"m":{"k":"v"},"list":["x","y z"],"a":1}', note="yaml.v2 layout: sequences not indented under their key")
# parse*
r("{{ parseBool \"true\" }} {{ parseBool \"0\" }} {{ parseBool \"\" }}", "true false false")
r("{{ parseBool \"yes\" }}", err=E(3, 'parseBool "yes"', 'error calling parseBool: parseBool: strconv.ParseBool: parsing "yes": invalid syntax'))
r("{{ parseInt \"-42\" }} {{ parseInt \"\" }} {{ parseUint \"7\" }}", "-42 0 7")
r("{{ parseInt \"4.2\" }}", err=E(3, 'parseInt "4.2"', 'error calling parseInt: parseInt: strconv.ParseInt: parsing "4.2": invalid syntax'))
r("{{ parseInt \"99999999999999999999\" }}", err=E(3, 'parseInt "99999999999999999999"', 'error calling parseInt: parseInt: strconv.ParseInt: parsing "99999999999999999999": value out of range'))
r("{{ parseFloat \"1.5\" }} {{ parseFloat \"2\" }} {{ printf \"%T\" (parseFloat \"2\") }}", "1.5 2 float64")
r("{{ parseFloat \"x\" }}", err=E(3, 'parseFloat "x"', 'error calling parseFloat: parseFloat: strconv.ParseFloat: parsing "x": invalid syntax'))
r("{{ .port | parseInt }}", err='template: :1:11: executing "" at <parseInt>: wrong type for value; expected string; got json.Number', note="json.Number is not a string to a typed Go function")
r("{{ .port | print | parseInt | add 1 }}", "5433")
r("{{ (parseJSON \"{\\\"a\\\":[1,2.5]}\").a }}", "[1 2.5]")
r("{{ printf \"%T\" (index (parseJSON \"[1]\") 0) }}", "float64", note="parseJSON numbers are float64")
r("{{ parseJSON \"\" }}", "map[]")
r("{{ with parseJSON \"{\\\"user\\\":\\\"u\\\"}\" }}{{ .user }}{{ end }}", "u")
# base64
r("{{ base64Encode \"hello\" }} {{ base64Decode \"aGVsbG8=\" }}", "aGVsbG8= hello")
r("{{ base64URLEncode \"??>\" }} {{ base64URLDecode \"Pz8-\" }}", "Pz8- ??>")
r("{{ base64Decode \"aGVsbG8\" }}", err=E(3, 'base64Decode "aGVsbG8"', 'error calling base64Decode: base64Decode: illegal base64 data at input byte 4'))
r("{{ base64Decode \"a$==\" }}", err=E(3, 'base64Decode "a$=="', 'error calling base64Decode: base64Decode: illegal base64 data at input byte 1'))
r("{{ base64Decode \"aGVs\\nbG8=\" }}", "hello", note="Go's decoder skips newlines")
# strings
r("{{ \"a,b\" | split \",\" }} {{ split \",\" .csv | join \";\" }}", "[a b] a;b;c")
r("{{ split \",\" \"  \" | len }}", "0")
r("{{ .list | join \",\" }}", err='template: :1:16: executing "" at <",">: wrong type for value; expected []string; got []interface {}', note="join takes []string; JSON arrays are []interface {}")
r("{{ .s | trimSpace }}|{{ trim \"xy\" \"xyhixy\" }}|{{ \"foo.txt\" | trimSuffix \".txt\" }}|{{ trimPrefix \"a\" \"abc\" }}", "hi|hi|foo|bc")
r("{{ toUpper \"abc\" }} {{ toLower \"ABC\" }} {{ toTitle \"hello world-wide\" }}", "ABC abc Hello World-Wide")
r("{{ replaceAll \"a\" \"b\" \"banana\" }}", "bbnbnb")
r("{{ \"banana\" | replaceAll \"an\" \"AN\" }}", "bANANa")
r("{{ indent 2 \"a\\nb\\n\\nc\" }}", "  a\n  b\n\n  c", note="indent skips empty lines")
r("{{ indent -1 \"a\" }}", err=E(3, 'indent -1 "a"', 'error calling indent: indent value must be a positive integer'))
r("{{ toLower .port }}", err='template: :1:11: executing "" at <.port>: wrong type for value; expected string; got json.Number')
r("{{ toLower 1 }}", err='template: :1:11: executing "" at <1>: expected string; found 1')
# contains / in
r("{{ contains \"b\" \"abc\" }} {{ .list | contains \"a\" }} {{ in .list \"z\" }}", "true true false")
r("{{ containsAll .list .list }} {{ containsNone .list .list }}", "true false")
r("{{ containsAny (parseJSON \"[\\\"x\\\",\\\"a\\\"]\") .list }} {{ containsNotAll (parseJSON \"[\\\"x\\\",\\\"a\\\"]\") .list }}", "true true")
r("{{ in .csv \"b,c\" }} {{ in .list 1 }}", "true false")
# regex
r("{{ regexReplaceAll \"a(n)\" \"<$1>\" \"banana\" }}", "b<n><n>a")
r("{{ regexReplaceAll \"(?P<x>n)a\" \"${x}!\" \"banana\" }}", "ban!n!", note="RE2 named groups")
r("{{ regexReplaceAll \"(a)\" \"$1x\" \"ba\" }}", "b", note="Go reads $1x as the group named 1x")
r("{{ regexReplaceAll \"a*\" \"-\" \"baaac\" }}", "-b-c-", note="no empty match right after a match, as in Go")
r("{{ regexReplaceAll \"[[:digit:]]+\" \"#\" \"a12b3\" }}", "a#b#")
r("{{ regexReplaceAll \"(?i)HELLO\" \"bye\" \"Hello world\" }}", "bye world")
r("{{ regexMatch \"^b.n\" \"banana\" }} {{ regexMatch \"\\\\Aa\\\\z\" \"ab\" }}", "true false")
r("{{ regexMatch \"(a\" \"a\" }}", err=E(3, 'regexMatch "(a" "a"', 'error calling regexMatch: error parsing regexp: missing closing ): `(a`'))
# hashes
r("{{ sha256Hex \"abc\" }}", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
r("{{ md5sum \"abc\" }}", "900150983cd24fb0d6963f7d28e17f72")
# math
r("{{ add 1 2 }} {{ subtract 1 5 }} {{ multiply 2 3.5 }} {{ divide 2 10 }} {{ modulo 3 10 }}", "3 4 7 5 1")
r("{{ 10 | divide 4 }} {{ 10.0 | divide 4 }} {{ 5 | subtract 2 }}", "2 2.5 3", note="the piped value is the left operand")
r("{{ minimum 1 2 }} {{ maximum 1 2.5 }} {{ maximum 3 2.5 }}", "1 2.5 3")
r("{{ add .port 1 }}", err=E(3, 'add .port 1', 'error calling add: add: unknown type for "5432" (json.Number)'))
r("{{ divide 0 1 }}", err=E(3, 'divide 0 1', 'error calling divide: runtime error: integer divide by zero'))
r("{{ divide 0.0 1 }}", "+Inf")
r("{{ modulo 1.5 3 }}", err=E(3, 'modulo 1.5 3', 'error calling modulo: modulo: unknown type for %!q(float64=1.5) (float64)'))
r("{{ add 1 }}", err=E(3, 'add', 'wrong number of args for add: want 2 got 1'))
# unsupported / undefined
r("{{ with secret \"x\" }}{{ end }}", err='template: :1: function "secret" not defined', note="data functions are known only when the caller names them")
r("{{ toTOML . }}", err='template: :1: function "toTOML" not defined')
r("{{ nomadVar \"x\" }}", err='template: :1: function "nomadVar" is not supported by lockbox agent')
r("{{ ls \"x\" }}", err='template: :1: function "ls" is not supported by lockbox agent')
r("{{ plugin \"x\" }}", err='template: :1: function "plugin" is not supported by lockbox agent')
r("{{ executeTemplate \"x\" }}", err='template: :1: function "executeTemplate" is not supported by lockbox agent')
