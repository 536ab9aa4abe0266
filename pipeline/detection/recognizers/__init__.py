"""Japanese recognizers, registered by name in one explicit dict (STYLE.md §2).

Why a dict and not Presidio's predefined registry: Presidio's predefined recognizers are
English/US-centric and
use ``\\b`` (they miss numbers inside Japanese text), so the analyzer is built from this list only.
Custom, config-defined formats are added by :mod:`pipeline.detection.engine` from ``detection.patterns``.
"""

from __future__ import annotations

from pipeline.detection.recognizers.address import AddressRecognizer
from pipeline.detection.recognizers.bank_account import BankAccountRecognizer
from pipeline.detection.recognizers.base import JapanesePatternRecognizer
from pipeline.detection.recognizers.contact_number import ContactNumberRecognizer
from pipeline.detection.recognizers.corporate_number import CorporateNumberRecognizer
from pipeline.detection.recognizers.custom import CustomPatternRecognizer
from pipeline.detection.recognizers.driver_license import DriverLicenseRecognizer
from pipeline.detection.recognizers.email import EmailRecognizer
from pipeline.detection.recognizers.health_insurance import HealthInsuranceRecognizer
from pipeline.detection.recognizers.my_number import MyNumberRecognizer
from pipeline.detection.recognizers.my_number_invalid import MyNumberInvalidRecognizer
from pipeline.detection.recognizers.passport import PassportRecognizer
from pipeline.detection.recognizers.person_honorific import PersonHonorificRecognizer
from pipeline.detection.recognizers.phone import PhoneRecognizer
from pipeline.detection.recognizers.postal_code import PostalCodeRecognizer

#: name → recognizer class. Every entry is documented (its module docstring) and tested (tests/detection).
RECOGNIZERS: dict[str, type[JapanesePatternRecognizer]] = {
    "my_number": MyNumberRecognizer,
    "corporate_number": CorporateNumberRecognizer,
    "phone": PhoneRecognizer,
    "postal_code": PostalCodeRecognizer,
    "email": EmailRecognizer,
    "health_insurance": HealthInsuranceRecognizer,
    "passport": PassportRecognizer,
    "driver_license": DriverLicenseRecognizer,
    "bank_account": BankAccountRecognizer,
    "person_honorific": PersonHonorificRecognizer,
    "address": AddressRecognizer,
    "contact_number": ContactNumberRecognizer,
    "my_number_invalid": MyNumberInvalidRecognizer,
}

__all__ = ["RECOGNIZERS", "CustomPatternRecognizer", "JapanesePatternRecognizer"]
