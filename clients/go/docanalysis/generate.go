package docanalysis

//go:generate ../gen.sh
