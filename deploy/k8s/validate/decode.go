package validate

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"sigs.k8s.io/yaml"
)

// Objects holds the typed objects of one rendering, by kind.
type Objects struct {
	Deployments []*appsv1.Deployment
	Services    []*corev1.Service
	ConfigMaps  []*corev1.ConfigMap
	HPAs        []*autoscalingv2.HorizontalPodAutoscaler
	PDBs        []*policyv1.PodDisruptionBudget
	PVCs        []*corev1.PersistentVolumeClaim
	Namespaces  []*corev1.Namespace
	Count       int
}

// The API groups the manifests may use. A kind outside these is an error: nothing in the deployment should need
// a type that this check can't verify.
func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

var scheme = newScheme()

// strictSerializer rejects unknown and duplicate fields; wrong value types fail in any mode.
var strictSerializer = json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme, scheme,
	json.SerializerOptions{Yaml: false, Pretty: false, Strict: true})

// Decode converts each document to JSON (duplicate YAML keys are an error) and decodes it strictly into its
// k8s.io/api type. It returns every error found, one per bad document.
func Decode(docs []Document) (*Objects, []error) {
	out := &Objects{}
	var errs []error
	for _, d := range docs {
		js, err := yaml.YAMLToJSONStrict(d.YAML)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Name, err))
			continue
		}
		obj, gvk, err := strictSerializer.Decode(js, nil, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Name, err))
			continue
		}
		out.Count++
		switch o := obj.(type) {
		case *appsv1.Deployment:
			out.Deployments = append(out.Deployments, o)
		case *corev1.Service:
			out.Services = append(out.Services, o)
		case *corev1.ConfigMap:
			out.ConfigMaps = append(out.ConfigMaps, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			out.HPAs = append(out.HPAs, o)
		case *policyv1.PodDisruptionBudget:
			out.PDBs = append(out.PDBs, o)
		case *corev1.PersistentVolumeClaim:
			out.PVCs = append(out.PVCs, o)
		case *corev1.Namespace:
			out.Namespaces = append(out.Namespaces, o)
		default:
			errs = append(errs, fmt.Errorf("%s: kind %s is not one this deployment uses", d.Name, gvk))
		}
	}
	return out, errs
}
