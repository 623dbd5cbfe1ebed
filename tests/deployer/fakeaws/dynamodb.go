package fakeaws

import (
	"fmt"
	"strconv"
	"strings"
)

// Item is a DynamoDB item in wire form: attribute name to {"S": ...} etc.
type Item map[string]any

// KeyAttr and SortAttr are the key attributes every fake table uses, as
// iac/modules/delivery's state table does.
const (
	KeyAttr  = "pk"
	SortAttr = "sk"
)

// Get returns the item with key pk/sk of table, or nil.
func (s *Server) Get(table, pk, sk string) Item {
	return s.Tables[table][pk+"\x00"+sk]
}

func (s *Server) dynamo(op string, in map[string]any) (any, error) {
	table, ok := s.Tables[str(in, "TableName")]
	if !ok {
		return nil, errf(400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "Requested resource not found: Table: %s not found", str(in, "TableName"))
	}
	keyOf := func(m map[string]any) (string, error) {
		pk, _ := mapOf(m[KeyAttr])["S"].(string)
		sk, _ := mapOf(m[SortAttr])["S"].(string)
		if pk == "" || sk == "" || (op != "PutItem" && len(m) != 2) {
			return "", errf(400, "com.amazonaws.dynamodb.v20120810#ValidationException", "The provided key element does not match the schema")
		}
		return pk + "\x00" + sk, nil
	}
	switch op {
	case "GetItem":
		k, err := keyOf(mapOf(in["Key"]))
		if err != nil {
			return nil, err
		}
		if it, ok := table[k]; ok {
			return map[string]any{"Item": it}, nil
		}
		return map[string]any{}, nil
	case "PutItem", "DeleteItem":
		src := mapOf(in["Key"])
		if op == "PutItem" {
			src = mapOf(in["Item"])
		}
		k, err := keyOf(src)
		if err != nil {
			return nil, err
		}
		cur, exists := table[k]
		if cond := str(in, "ConditionExpression"); cond != "" {
			ok, err := evalCondition(cond, cur, exists, mapOf(in["ExpressionAttributeNames"]), mapOf(in["ExpressionAttributeValues"]))
			if err != nil {
				return nil, errf(400, "com.amazonaws.dynamodb.v20120810#ValidationException", "Invalid ConditionExpression: %v", err)
			}
			if !ok {
				return nil, errf(400, "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "The conditional request failed")
			}
		}
		if op == "PutItem" {
			table[k] = Item(src)
		} else {
			delete(table, k)
		}
		return map[string]any{}, nil
	}
	return nil, errf(400, "com.amazonaws.dynamodb.v20120810#UnknownOperationException", "fakeaws dynamodb: %s not implemented", op)
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// evalCondition evaluates the subset of condition expressions the deployer
// writes: terms joined by OR (lowest) and AND; a term is
// attribute_exists(a), attribute_not_exists(a), or "x op y" with op one of
// = <> < <= > >=.
func evalCondition(expr string, item Item, exists bool, names, values map[string]any) (bool, error) {
	for _, alt := range strings.Split(expr, " OR ") {
		all := true
		for _, term := range strings.Split(alt, " AND ") {
			ok, err := evalTerm(strings.TrimSpace(term), item, exists, names, values)
			if err != nil {
				return false, err
			}
			all = all && ok
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

func evalTerm(term string, item Item, exists bool, names, values map[string]any) (bool, error) {
	resolve := func(n string) string {
		if strings.HasPrefix(n, "#") {
			v, _ := names[n].(string)
			return v
		}
		return n
	}
	for _, fn := range []string{"attribute_not_exists", "attribute_exists"} {
		if strings.HasPrefix(term, fn+"(") && strings.HasSuffix(term, ")") {
			name := resolve(strings.TrimSpace(term[len(fn)+1 : len(term)-1]))
			_, has := item[name]
			has = has && exists
			return has == (fn == "attribute_exists"), nil
		}
	}
	for _, op := range []string{"<>", "<=", ">=", "=", "<", ">"} {
		l, r, ok := strings.Cut(term, " "+op+" ")
		if !ok {
			continue
		}
		operand := func(x string) (map[string]any, error) {
			x = strings.TrimSpace(x)
			if strings.HasPrefix(x, ":") {
				v, ok := values[x].(map[string]any)
				if !ok {
					return nil, fmt.Errorf("value %s not defined", x)
				}
				return v, nil
			}
			v, _ := item[resolve(x)].(map[string]any)
			return v, nil
		}
		a, err := operand(l)
		if err != nil {
			return false, err
		}
		b, err := operand(r)
		if err != nil {
			return false, err
		}
		if a == nil || b == nil {
			return false, nil // comparisons with a missing attribute are false
		}
		c, err := compare(a, b)
		if err != nil {
			return false, err
		}
		switch op {
		case "=":
			return c == 0, nil
		case "<>":
			return c != 0, nil
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		case ">=":
			return c >= 0, nil
		}
	}
	return false, fmt.Errorf("unsupported term %q", term)
}

func compare(a, b map[string]any) (int, error) {
	if x, ok := a["N"].(string); ok {
		y, ok := b["N"].(string)
		if !ok {
			return 0, fmt.Errorf("comparing N with non-N")
		}
		fx, err1 := strconv.ParseFloat(x, 64)
		fy, err2 := strconv.ParseFloat(y, 64)
		if err1 != nil || err2 != nil {
			return 0, fmt.Errorf("bad number")
		}
		switch {
		case fx < fy:
			return -1, nil
		case fx > fy:
			return 1, nil
		}
		return 0, nil
	}
	x, _ := a["S"].(string)
	y, _ := b["S"].(string)
	return strings.Compare(x, y), nil
}
