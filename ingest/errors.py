"""BudgetQA's errors: each carries a Chinese message for users and English detail for logs.

    BudgetQAError
    ├── InputError               a file the user gave cannot be ingested
    │   ├── EmptyFileError
    │   ├── BinaryFileError
    │   ├── EncodingError
    │   ├── UnsupportedFormatError
    │   └── NotADisclosureError
    ├── StoreError               the data directory cannot be read or written
    │   ├── EmbeddingMismatchError   the vector index was built with another embedding model
    │   └── StoreBusyError           another process holds the index lock past the timeout
    ├── NotFoundError            a document or table asked for is not stored
    └── LanguageModelError       the optional language model (app/llm/) cannot be used
        ├── ModelUnavailableError    the endpoint is down, slow past the timeout, or refuses
        └── PromptError              a template in prompts/ is missing or its placeholders are wrong

Errors become output only at the edges (CLI, UI): they print `message`, log `detail`.
"""

from __future__ import annotations


class BudgetQAError(Exception):
    """Base class: `message` is Chinese for users, `detail` English for developers."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(detail or message)
        self.message = message
        self.detail = detail or message


class InputError(BudgetQAError):
    pass


class EmptyFileError(InputError):
    pass


class BinaryFileError(InputError):
    pass


class EncodingError(InputError):
    pass


class UnsupportedFormatError(InputError):
    pass


class NotADisclosureError(InputError):
    pass


class StoreError(BudgetQAError):
    pass


class EmbeddingMismatchError(StoreError):
    pass


class StoreBusyError(StoreError):
    pass


class NotFoundError(BudgetQAError):
    pass


class LanguageModelError(BudgetQAError):
    pass


class ModelUnavailableError(LanguageModelError):
    pass


class PromptError(LanguageModelError):
    pass
