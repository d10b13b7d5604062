// Package validate renders the docanalysis kustomizations (deploy/k8s/base and its overlays) and checks every
// rendered object against the real Kubernetes API types, then checks that the objects agree with each other.
//
// Nothing here talks to a cluster: rendering uses the kustomize library (krusty) in process, and decoding uses
// the k8s.io/api Go types with strict field checking, so an unknown or misspelt field, a duplicate field or a
// value of the wrong type is an error, as it would be for `kubectl apply --validate=strict`.
package validate

import (
	"fmt"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Document is one rendered object: its YAML as kustomize emitted it and a short name for messages.
type Document struct {
	Name string // "Kind/namespace/name"
	YAML []byte
}

// Render runs kustomize on the kustomization in dir (read from fs) and returns every object it emits.
func Render(fs filesys.FileSystem, dir string) ([]Document, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(fs, dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var docs []Document
	for _, r := range resMap.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.CurId(), err)
		}
		docs = append(docs, Document{
			Name: fmt.Sprintf("%s/%s/%s", r.GetKind(), r.GetNamespace(), r.GetName()),
			YAML: y,
		})
	}
	return docs, nil
}

// RenderDir renders the kustomization in a folder on disk.
func RenderDir(dir string) ([]Document, error) {
	return Render(filesys.MakeFsOnDisk(), dir)
}
