package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// decodeYAML decodes one YAML document into JSON-shaped values (maps with string keys,
// slices, strings, json.Number, bools, nil) exactly as sigs.k8s.io/yaml's YAMLToJSON
// followed by a JSON decode with UseNumber would, without building and parsing the JSON
// text: it converts the values go-yaml v2 returns the way YAMLToJSON does. Anything that
// path treats specially (an error, a NaN or infinite number, a string that is not valid
// UTF-8, a value of another type) takes the reference path instead, so the result and
// the error are always the reference's.
//
// One case is an error here and not there: a mapping whose keys differ in YAML but print
// alike as JSON keys (1 and "1", true and "true"). The reference keeps one of the values,
// which one depending on Go's map order, so the same file could give different objects
// from one run to the next; here it is an error naming the key, as a key written twice is.
func decodeYAML(text []byte) (any, error) {
	var raw any
	if err := yamlv2.Unmarshal(text, &raw); err == nil {
		v, err := jsonable(raw)
		var dup errDuplicateKey
		if errors.As(err, &dup) {
			return nil, dup
		}
		if err == nil {
			return v, nil
		}
	}
	return decodeYAMLViaJSON(text)
}

// errDuplicateKey is a mapping with two keys that become the same JSON key.
type errDuplicateKey struct{ key string }

func (e errDuplicateKey) Error() string {
	return fmt.Sprintf("mapping key %q appears twice once keys are read as JSON strings (such as 1 and \"1\")", e.key)
}

// decodeYAMLViaJSON is the reference: YAMLToJSON, then a JSON decode with UseNumber.
func decodeYAMLViaJSON(text []byte) (any, error) {
	j, err := yaml.YAMLToJSON(text)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errInvalidJSON{err}
	}
	return v, nil
}

// errInvalidJSON is a failure to decode the JSON YAMLToJSON produced.
type errInvalidJSON struct{ err error }

func (e errInvalidJSON) Error() string { return e.err.Error() }

// errReference sends a document down the reference path.
var errReference = errors.New("take the reference path")

// jsonable converts go-yaml v2 values as YAMLToJSON and the JSON round trip do.
func jsonable(v any) (any, error) {
	switch v := v.(type) {
	case nil, bool:
		return v, nil
	case string:
		if !utf8.ValidString(v) {
			return nil, errReference // encoding/json would replace the bad bytes
		}
		return v, nil
	case int:
		return json.Number(strconv.Itoa(v)), nil
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(v, 10)), nil
	case float64:
		b, err := json.Marshal(v) // encoding/json's own float format; NaN and ±Inf fail
		if err != nil {
			return nil, errReference
		}
		return json.Number(b), nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			c, err := jsonable(x)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			key, err := keyString(k)
			if err != nil {
				return nil, err
			}
			if _, dup := out[key]; dup {
				return nil, errDuplicateKey{key}
			}
			c, err := jsonable(x)
			if err != nil {
				return nil, err
			}
			out[key] = c
		}
		return out, nil
	default:
		return nil, errReference
	}
}

// keyString turns a mapping key into the string YAMLToJSON makes of it.
func keyString(k any) (string, error) {
	switch k := k.(type) {
	case string:
		if !utf8.ValidString(k) {
			return "", errReference
		}
		return k, nil
	case int:
		return strconv.Itoa(k), nil
	case int64:
		return strconv.FormatInt(k, 10), nil
	case bool:
		return strconv.FormatBool(k), nil
	default:
		// Float keys and the rest: YAMLToJSON's own conversion (or error) applies.
		return "", errReference
	}
}
