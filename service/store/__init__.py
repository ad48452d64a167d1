"""Articles and passages in Chroma: a local persistent index or a Chroma server.

Three collections in cosine space, given vectors by the service (Chroma's default embedding
function would try to download a model), and two more:
- `<prefix>_passages`: one record per passage, with its span and the article's metadata,
  so retrieval filters (source, date range) work on passages directly.
- `<prefix>_articles`: one record per article holding the full text, its metadata and the
  mean of its passage vectors (for clustering articles). This record is written last and
  deleted first: it marks the article as complete, so an interrupted write leaves at worst
  passages without an article, which the next write of that article clears.
- `<prefix>_sentences`: one record per passage holding the vectors of its sentences (float16,
  base64, in metadata; the record's own vector is a placeholder) and their parses (compact
  JSON, compressed: `service.domain.parse.packed_parses`; records written before parses
  were kept have none). Kept out of the passages' metadata, which the keyword index reads
  whole, and out of a vector index, which would hold every sentence in memory. Written
  before the passages and deleted with them.
- `<prefix>_meta`: the `revision` record, whose value changes with every write and delete, so
  anything kept beside the store (the keyword index, in every replica) can tell cheaply
  whether it is stale; and the change log, one record per write or delete naming its
  articles, so it can tell what changed without reading every article.
- `<prefix>_watches`: watched topics and their items.

One module per concern: `connection` (reaching Chroma, one writer per local index), `base`
(the collections, reads and writes in pieces), `articles` (writing, deleting and reading
articles), `passages` (reading passages and vectors), `changes` (revision and change log),
`watches`, and `convert` (Chroma's metadata to the service's records and back).
"""

from service.store.articles import ArticleRecords
from service.store.connection import client_factory, sole_writer
from service.store.convert import where
from service.store.passages import PassageReads
from service.store.watches import WatchRecords


class ChromaStore(ArticleRecords, PassageReads, WatchRecords):
    """The `Store` on Chroma: a local persistent index or a Chroma server."""


__all__ = ["ChromaStore", "client_factory", "sole_writer", "where"]
