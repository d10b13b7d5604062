package docanalysis

// WrapErrorForTest exposes wrapError to the external tests.
var WrapErrorForTest = wrapError
