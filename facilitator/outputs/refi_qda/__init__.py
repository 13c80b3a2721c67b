"""REFI-QDA (QDA-XML 1.0): the open format in which NVivo, ATLAS.ti, MAXQDA and QualCoder
exchange projects (.qdpx) and codebooks (.qdc).

`project_bytes` writes a project of some sessions, `codebook_bytes` a consultation's
codebook, and `read_codebook` reads the theme names of a codebook made elsewhere.
The XML is built with `xml.etree.ElementTree` and read with `defusedxml`, both
imported only when a file is written or read.
"""

from facilitator.outputs.refi_qda.codebook import MAX_BYTES as MAX_BYTES
from facilitator.outputs.refi_qda.codebook import codebook_bytes as codebook_bytes
from facilitator.outputs.refi_qda.codebook import read_codebook as read_codebook
from facilitator.outputs.refi_qda.project import project_bytes as project_bytes
