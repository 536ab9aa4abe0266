"""Reading extracts: CSV (UTF-8, UTF-8 with BOM, CP932) and Parquet, every column as text."""

from pipeline.checksum import sha256_file
from pipeline.io.reader import read_table

__all__ = ["read_table", "sha256_file"]
