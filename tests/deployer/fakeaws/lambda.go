package fakeaws

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Function is a Lambda function deployed as a container image.
type Function struct {
	Name string
	// ImageURI is $LATEST's image (repo@digest).
	ImageURI string
	// UpdatePolls is how many GetFunctionConfiguration calls report
	// LastUpdateStatus InProgress after UpdateFunctionCode.
	UpdatePolls int
	// UpdateFails makes the next code update end Failed.
	UpdateFails bool
	Versions    map[string]string // version -> image URI
	LastVersion int
	Aliases     map[string]*Alias
	pending     int
	failed      bool
}

// Alias is a Lambda alias with optional weighted routing to a second version.
type Alias struct {
	Version string
	Extra   map[string]float64
}

// AddFunction adds a function whose version 1 runs image and alias points at it.
func (s *Server) AddFunction(name, alias, image string) *Function {
	f := &Function{Name: name, ImageURI: image, Versions: map[string]string{"1": image}, LastVersion: 1,
		Aliases: map[string]*Alias{alias: {Version: "1"}}}
	s.Functions[name] = f
	return f
}

func (s *Server) functionARN(name string) string {
	return "arn:aws:lambda:" + s.Region + ":" + s.Account + ":function:" + name
}

func codeSha(image string) string {
	_, d, _ := strings.Cut(image, "@sha256:")
	return d
}

func (s *Server) serveLambda(w http.ResponseWriter, r *http.Request, body []byte) {
	rest := strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/")
	parts := strings.Split(rest, "/")
	name := parts[0]
	var op string
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		op = "GetFunction"
	case len(parts) == 2 && parts[1] == "configuration" && r.Method == http.MethodGet:
		op = "GetFunctionConfiguration"
	case len(parts) == 2 && parts[1] == "code" && r.Method == http.MethodPut:
		op = "UpdateFunctionCode"
	case len(parts) == 2 && parts[1] == "versions" && r.Method == http.MethodPost:
		op = "PublishVersion"
	case len(parts) == 3 && parts[1] == "aliases" && r.Method == http.MethodGet:
		op = "GetAlias"
	case len(parts) == 3 && parts[1] == "aliases" && r.Method == http.MethodPut:
		op = "UpdateAlias"
	default:
		http.Error(w, "fakeaws lambda: unknown "+r.Method+" "+r.URL.Path, http.StatusNotImplemented)
		return
	}
	s.record("lambda:" + op)
	out, err := s.lambda(op, name, parts, r, body)
	w.Header().Set("Content-Type", "application/json")
	if s.RejectCredentials {
		err = errf(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	if err != nil {
		ae := asAPIError(err)
		w.Header().Set("X-Amzn-Errortype", ae.code)
		w.WriteHeader(ae.status)
		json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": ae.message})
		return
	}
	s.after("lambda:" + op)
	json.NewEncoder(w).Encode(out)
}

func (s *Server) lambda(op, name string, parts []string, r *http.Request, body []byte) (any, error) {
	f, ok := s.Functions[name]
	if !ok {
		return nil, errf(404, "ResourceNotFoundException", "Function not found: %s", s.functionARN(name))
	}
	var in map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, errf(400, "InvalidRequestContentException", "%v", err)
		}
	}
	qualifier := r.URL.Query().Get("Qualifier")
	switch op {
	case "GetFunction", "GetFunctionConfiguration":
		image := f.ImageURI
		if qualifier != "" && qualifier != "$LATEST" {
			if a, ok := f.Aliases[qualifier]; ok {
				qualifier = a.Version
			}
			img, ok := f.Versions[qualifier]
			if !ok {
				return nil, errf(404, "ResourceNotFoundException", "Function not found: %s:%s", s.functionARN(name), qualifier)
			}
			image = img
		}
		conf := s.functionConfig(f, image, qualifier, op == "GetFunctionConfiguration")
		if op == "GetFunctionConfiguration" {
			return conf, nil
		}
		return map[string]any{"Configuration": conf, "Code": map[string]any{"RepositoryType": "ECR", "ImageUri": image, "ResolvedImageUri": image}}, nil
	case "UpdateFunctionCode":
		img := str(in, "ImageUri")
		if !strings.Contains(img, "@sha256:") {
			return nil, errf(400, "InvalidParameterValueException", "ImageUri %q must be repo@sha256:digest", img)
		}
		if f.pending > 0 {
			return nil, errf(409, "ResourceConflictException", "The operation cannot be performed at this time. An update is in progress for resource: %s", s.functionARN(name))
		}
		f.ImageURI, f.pending, f.failed = img, f.UpdatePolls, f.UpdateFails
		return s.functionConfig(f, img, "", false), nil
	case "PublishVersion":
		if f.pending > 0 {
			return nil, errf(409, "ResourceConflictException", "The operation cannot be performed at this time. An update is in progress for resource: %s", s.functionARN(name))
		}
		// Lambda returns the latest version when $LATEST is unchanged.
		if v, ok := f.Versions[strconv.Itoa(f.LastVersion)]; ok && v == f.ImageURI {
			return s.functionConfig(f, v, strconv.Itoa(f.LastVersion), false), nil
		}
		f.LastVersion++
		ver := strconv.Itoa(f.LastVersion)
		f.Versions[ver] = f.ImageURI
		return s.functionConfig(f, f.ImageURI, ver, false), nil
	case "GetAlias", "UpdateAlias":
		a, ok := f.Aliases[parts[2]]
		if !ok {
			return nil, errf(404, "ResourceNotFoundException", "Alias not found: %s:%s", s.functionARN(name), parts[2])
		}
		if op == "UpdateAlias" {
			if v := str(in, "FunctionVersion"); v != "" {
				if _, ok := f.Versions[v]; !ok {
					return nil, errf(404, "ResourceNotFoundException", "Function not found: %s:%s", s.functionARN(name), v)
				}
				a.Version = v
			}
			if rc, ok := in["RoutingConfig"].(map[string]any); ok {
				a.Extra = nil
				if w, ok := rc["AdditionalVersionWeights"].(map[string]any); ok {
					for k, v := range w {
						if a.Extra == nil {
							a.Extra = map[string]float64{}
						}
						a.Extra[k], _ = v.(float64)
					}
				}
			}
		}
		weights := map[string]float64{}
		for k, v := range a.Extra {
			weights[k] = v
		}
		return map[string]any{"AliasArn": s.functionARN(name) + ":" + parts[2], "Name": parts[2], "FunctionVersion": a.Version,
			"RoutingConfig": map[string]any{"AdditionalVersionWeights": weights}, "RevisionId": "rev-" + a.Version}, nil
	}
	return nil, errf(400, "InvalidAction", "fakeaws lambda: %s", op)
}

// functionConfig describes a version; polling $LATEST's configuration
// counts down a pending update.
func (s *Server) functionConfig(f *Function, image, qualifier string, poll bool) map[string]any {
	status := "Successful"
	if qualifier == "" || qualifier == "$LATEST" {
		switch {
		case f.pending > 0:
			status = "InProgress"
			if poll {
				f.pending--
			}
		case f.failed:
			status = "Failed"
		}
	}
	version := qualifier
	if version == "" {
		version = "$LATEST"
	}
	c := map[string]any{
		"FunctionName": f.Name, "FunctionArn": s.functionARN(f.Name), "Version": version, "PackageType": "Image",
		"State": "Active", "LastUpdateStatus": status, "CodeSha256": codeSha(image),
		"LastModified": time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000-0700"),
	}
	if status == "Failed" {
		c["LastUpdateStatusReason"] = "image manifest is not a single-platform manifest"
		c["LastUpdateStatusReasonCode"] = "ImageAccessDenied"
	}
	return c
}
