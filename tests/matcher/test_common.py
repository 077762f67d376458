"""scikit-learn's estimator checks over the matchers.

The matchers' X is a profile table (``features.columns.profile_columns()``) and their y an
outcome history over the candidate villages: the checks that feed random numeric arrays as X
or y cannot apply, and are listed with that reason. Every other check must pass.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from matcher.learned import LearnedMatcher
from matcher.weighted import WeightedMatcher
from tests.conftest import realistic_villages

_NOT_PROFILES = "X must be a profile table (profile_columns()), not a random numeric array"
_COMMON = {
    name: _NOT_PROFILES
    for name in (
        "check_complex_data",
        "check_dict_unchanged",
        "check_dtype_object",
        "check_estimator_sparse_tag",
        "check_estimators_dtypes",
        "check_estimators_empty_data_messages",
        "check_estimators_nan_inf",
        "check_estimators_pickle",
        "check_fit2d_predict1d",
        "check_fit_idempotent",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in",
        "check_n_features_in_after_fitting",
        "check_pipeline_consistency",
    )
}
# WeightedMatcher's fit ignores X (its data are the villages), so 1-D X is not refused.
_WEIGHTED = _COMMON | {"check_fit1d": "fit uses the villages, not X"}
# LearnedMatcher's fit learns from X and y, so every check that fits on random data applies.
_LEARNED = _COMMON | {
    name: _NOT_PROFILES
    for name in (
        "check_dont_overwrite_parameters",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
        "check_estimators_fit_returns_self",
        "check_estimators_overwrite_params",
        "check_f_contiguous_array_estimator",
        "check_fit2d_1feature",
        "check_fit2d_1sample",
        "check_fit_check_is_fitted",
        "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input",
    )
}


def _expected_failures(estimator: object) -> dict[str, str]:
    return _LEARNED if isinstance(estimator, LearnedMatcher) else _WEIGHTED


@parametrize_with_checks(
    [WeightedMatcher(villages=realistic_villages()), LearnedMatcher(villages=realistic_villages())],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check) -> None:
    check(estimator)
