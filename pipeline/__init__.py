"""APPI 匿名加工情報 pipeline: insurer extracts in, anonymously processed information releases out."""

__version__ = "0.1.0"
