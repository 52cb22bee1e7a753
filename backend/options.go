package backend

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/shardis/shardis/internal/tomlfile"
)

// LoadFile applies a TOML file of redis-server options (port = 7001,
// appendonly = true, bind = ["127.0.0.1"], ...) to o. Every unknown option
// and every bad value is reported with its line.
func (o *Options) LoadFile(path string) error {
	var raw map[string]any
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := tomlfile.Decode(path, src, &raw); err != nil {
		return err
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		val, err := tomlValueString(raw[name])
		if err == nil {
			err = o.Set(name, val)
		}
		if err != nil {
			errs = append(errs, &tomlfile.Error{File: path, Line: tomlfile.KeyLine(src, []string{name}), Msg: fmt.Sprintf("%s: %v", name, err)})
		}
	}
	return errors.Join(errs...)
}

// tomlValueString turns a TOML value into redis-server's textual form:
// booleans as yes/no, arrays as space-separated words.
func tomlValueString(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		if v {
			return "yes", nil
		}
		return "no", nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case []any:
		s := ""
		for i, e := range v {
			es, err := tomlValueString(e)
			if err != nil {
				return "", err
			}
			if i > 0 {
				s += " "
			}
			s += es
		}
		return s, nil
	}
	return "", fmt.Errorf("unsupported value type %T", v)
}
