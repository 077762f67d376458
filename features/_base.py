"""A transformer that passes its numeric input through and appends named derived columns.

Derived columns are computed from input columns recognised by name (a DataFrame's columns);
an unnamed array passes through unchanged. This keeps the vectorizers ordinary scikit-learn
transformers (any numeric table in, ``get_feature_names_out`` out) while the domain work lives
in each subclass's ``_derive``.
"""

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from features.numeric import Columns


class DerivingTransformer(TransformerMixin, BaseEstimator):
    #: Input columns every derived column needs; without all of them nothing is derived.
    required: tuple[str, ...] = ()

    def fit(self, X: object, y: object = None) -> "DerivingTransformer":
        data = validate_data(self, X, reset=True, dtype=np.float64)
        names = getattr(self, "feature_names_in_", None)
        self.derives_ = names is not None and set(self.required) <= set(names)
        derived = self._derive(self._columns(data[:1])) if self.derives_ else {}
        self.derived_names_ = tuple(derived)
        return self

    def transform(self, X: object) -> NDArray[np.float64]:
        check_is_fitted(self)
        data = validate_data(self, X, reset=False, dtype=np.float64)
        if not self.derives_:
            return np.asarray(data, dtype=np.float64)
        derived = self._derive(self._columns(data))
        return np.column_stack([data, *(derived[n] for n in self.derived_names_)])

    def transform_columns(self, columns: Columns) -> dict[str, NDArray[np.float64]]:
        """``transform`` for trusted input given as named 1-D arrays, without re-validation.

        For callers whose rows were already validated (pydantic profiles): the same derived
        columns, none of sklearn's checks, so one row costs microseconds.
        """
        if not hasattr(self, "derives_"):  # sklearn's check_is_fitted costs more than the work
            check_is_fitted(self)
        derived = self._derive(columns) if self.derives_ else {}
        return dict(columns) | derived

    def get_feature_names_out(self, input_features: object = None) -> NDArray[np.object_]:
        check_is_fitted(self)
        from sklearn.utils.validation import _check_feature_names_in

        names = list(_check_feature_names_in(self, input_features))
        return np.asarray(names + list(self.derived_names_), dtype=object)

    def _columns(self, data: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        return {name: data[:, i] for i, name in enumerate(self.feature_names_in_)}

    def _derive(self, columns: Columns) -> dict[str, NDArray[np.float64]]:
        raise NotImplementedError
