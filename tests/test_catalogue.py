"""The article catalogue: pages newest first that follow the store without reading it whole."""

from service.components import Components
from service.domain import ArticleFilter
from service.retrieval import ArticleCatalogue
from tests.conftest import ALASKA_ARTICLE, BLINKEN_ARTICLE, EXPORT_ARTICLE
from tests.test_keyword_index import CountingStore
from tests.test_retrieval import ingest_records

EVERYTHING = ArticleFilter()


def test_pages_follow_ingests_and_deletes_from_the_change_log(seeded: Components):
    store = CountingStore(seeded.store)
    catalogue = ArticleCatalogue(store)
    assert catalogue.page(EVERYTHING, limit=10, offset=0)[0] == 3
    ingest_records(
        seeded,
        {"id": "later", "date": "2030-01-01", "source": "MENAFN", "text": "A later report."},
        {"id": "undated", "text": "A report with no date."},
    )
    seeded.ingestor.delete(ALASKA_ARTICLE)

    total, page = catalogue.page(EVERYTHING, limit=2, offset=0)
    _, rest = catalogue.page(EVERYTHING, limit=10, offset=2)
    assert total == 4
    assert [a.id for a in page + rest] == ["later", EXPORT_ARTICLE, BLINKEN_ARTICLE, "undated"]
    total, menafn = catalogue.page(ArticleFilter(sources=["MENAFN"]), limit=10, offset=0)
    assert total == 2 and [a.id for a in menafn] == ["later", EXPORT_ARTICLE]
    assert page[0].title and page[0].source == "MENAFN" and page[0].text is None
    assert store.compared_everything == 1, "after the first page, only the change log is read"
    fresh = ArticleCatalogue(seeded.store).page(EVERYTHING, limit=10, offset=0)
    assert fresh == (total + 2, page + rest)
