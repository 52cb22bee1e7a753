package bench

import "errors"

// InputError is returned for settings that cannot be run: an unknown
// workload, a negative count, and the like. Err lists every problem.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

// IsBadInput reports whether err comes from what the user gave (settings,
// a scenario file, a target that does not answer) rather than from a run
// that failed: the command line exits with status 2 for those.
func IsBadInput(err error) bool {
	var ie *InputError
	var ue *UnreachableError
	var se *ScenarioError
	var we *UnknownWorkloadError
	return errors.As(err, &ie) || errors.As(err, &ue) || errors.As(err, &se) || errors.As(err, &we)
}
