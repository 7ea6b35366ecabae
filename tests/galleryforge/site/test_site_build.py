"""The built site: pages, captions and rationale, escaping, card tags, offline links, caching."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from galleryforge.cli.main import main
from galleryforge.renderings.registry import get_rendering
from galleryforge.site import build_site
from tests.galleryforge.site.conftest import HOSTILE_CAPTION, RENDERINGS, BuiltSite, as_read

BASE_URL = "https://example.org/sae/"


class _Tags(HTMLParser):
    """Every start tag with its attributes, plus the page's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Tags:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _meta(tags: _Tags, name: str) -> str | None:
    for tag, attrs in tags.tags:
        if tag == "meta" and name in (attrs.get("property"), attrs.get("name")):
            return attrs.get("content")
    return None


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "files" not in p.relative_to(site).parts)


def _notes(site: BuiltSite) -> dict[str, tuple[str, str]]:
    import tomllib

    data = tomllib.loads((site.sources / "gallery.toml").read_text(encoding="utf-8"))
    return {r: (data[r]["caption"], data[r]["rationale"]) for r in RENDERINGS}


def test_every_page_exists(built_site: BuiltSite) -> None:
    out = built_site.out
    expected = {
        "index.html",
        "toy.html",
        "trials/B.html",
        "gallery.html",
        "reproducibility.html",
        "figures/B/premium-heatmap.html",
        "figures/B/kpi-summary.html",
        "figures/toy/toy-floor-vs-dstar.html",
    }
    assert expected <= set(built_site.result.pages)
    for page in expected:
        assert (out / page).is_file(), page
    assert (out / "assets" / "site.css").is_file() and (out / "assets" / "theme.js").is_file()
    assert (out / "figures" / "files" / "plotly.min.js").is_file()


def test_every_rendering_has_caption_and_rationale(built_site: BuiltSite) -> None:
    gallery = "".join(_parse(built_site.out / "gallery.html").text)
    for rendering, notes in _notes(built_site).items():
        caption, rationale = (as_read(note) for note in notes)
        title = as_read(get_rendering(rendering).title)
        assert caption in gallery and rationale in gallery and title in gallery, rendering
        pages = list((built_site.out / "figures").glob(f"*/{rendering}.html"))
        assert pages, f"{rendering} has no figure page"
        for page in pages:
            text = "".join(_parse(page).text)
            assert caption in text and rationale in text, page
            assert ("Why it was picked" in text) or ("Why it was not picked" in text)


def test_markup_in_captions_is_escaped(built_site: BuiltSite) -> None:
    for page in (
        built_site.out / "gallery.html",
        built_site.out / "figures/B/premium-heatmap.html",
    ):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(&#39;caption&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in html
        assert HOSTILE_CAPTION in "".join(_parse(page).text)  # readers see it as text


def test_the_overview_sets_d_star_as_mathematics(built_site: BuiltSite) -> None:
    page = (built_site.out / "index.html").read_text(encoding="utf-8")
    assert "d*_S = L0 · ln(F_alive / L0)" not in page
    assert "<i>d</i>*<sub>S</sub> = L0 · ln(<i>F</i><sub>alive</sub> / L0)" in page


def test_open_graph_and_twitter_cards(built_site: BuiltSite) -> None:
    for page in _pages(built_site.out):
        tags = _parse(page)
        for name in (
            "og:title",
            "og:description",
            "og:image",
            "twitter:card",
            "twitter:title",
            "twitter:description",
            "twitter:image",
        ):
            assert _meta(tags, name), f"{page}: no {name}"
        image = _meta(tags, "og:image")
        assert image and not image.startswith(("http:", "https:", "/"))
        card = (page.parent / image).resolve()
        assert card.is_file() and card.suffix == ".png", f"{page}: {image}"
        assert "/social/" in image
        assert _meta(tags, "twitter:card") == "summary_large_image"
    figure_card = _meta(_parse(built_site.out / "figures/B/premium-heatmap.html"), "og:image")
    assert figure_card == "../../figures/files/B/social/premium-heatmap.png"
    overview_card = _meta(_parse(built_site.out / "index.html"), "og:image")
    assert overview_card == "figures/files/B/social/kpi-summary.png"


def _external_urls(site: Path) -> list[str]:
    found = []
    for page in _pages(site):
        for tag, attrs in _parse(page).tags:
            for key in ("src", "href", "data-src-light", "data-src-dark", "srcset"):
                value = attrs.get(key, "")
                if value.startswith(("http:", "https:", "//")):
                    found.append(f"{page.name}: <{tag} {key}={value}>")
    return found


def test_no_external_urls(built_site: BuiltSite) -> None:
    assert _external_urls(built_site.out) == []
    css = (built_site.out / "assets" / "site.css").read_text()
    js = (built_site.out / "assets" / "theme.js").read_text()
    assert "http" not in css and "http" not in js
    for html in (built_site.out / "figures" / "files").rglob("*.html"):
        assert "cdn." not in html.read_text(), html  # plotly.js is loaded from the site


def test_rebuild_rewrites_nothing_and_removes_stale_files(
    built_site: BuiltSite, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    shutil.copytree(built_site.out, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = build_site(built_site.request(out=out))
    assert again.written == () and again.removed == () and again.rendered == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before

    (out / "index.html").write_text("edited by hand")  # a changed output is restored
    fewer = build_site(
        built_site.request(out=out, renderings=("kpi-summary", "toy-floor-vs-dstar"))
    )
    assert "index.html" in fewer.written and fewer.rendered == 0
    assert "figures/B/premium-heatmap.html" in fewer.removed
    assert not (out / "figures" / "B" / "premium-heatmap.html").exists()
    assert not (out / "figures" / "files" / "B" / "paper" / "premium-heatmap.png").exists()


def test_base_url_makes_card_urls_absolute(built_site: BuiltSite, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(built_site.sources, sources)
    site_toml = sources / "site.toml"
    site_toml.write_text(site_toml.read_text().replace('base_url = ""', f'base_url = "{BASE_URL}"'))
    out = tmp_path / "site"
    build_site(built_site.request(out=out, sources=sources))
    tags = _parse(out / "figures" / "B" / "premium-heatmap.html")
    assert _meta(tags, "og:image") == BASE_URL + "figures/files/B/social/premium-heatmap.png"
    assert _meta(tags, "og:url") == BASE_URL + "figures/B/premium-heatmap.html"
    assert all(BASE_URL in url for url in _external_urls(out))


def test_dark_default_theme_is_written(built_site: BuiltSite, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(built_site.request(out=out, theme="dark"))
    assert 'data-default-theme="dark"' in (out / "index.html").read_text()


def test_trial_option_limits_the_runs_shown(built_site: BuiltSite, tmp_path: Path) -> None:
    out = tmp_path / "site"
    # One rendering: the figures are the built site's, so nothing new is drawn.
    assert main(built_site.build_args(out, "--trial", "B", "-r", "premium-heatmap")) == 0
    assert (out / "trials" / "B.html").is_file()
    assert not (out / "toy.html").exists()  # the toy run was not asked for
    assert not list((out / "figures").glob("toy/*.html"))


def test_refuses_to_empty_a_foreign_folder(built_site: BuiltSite, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code = main(built_site.build_args(tmp_path))
    assert code == 2 and (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        ("site.toml", ("title = ", "titel = "), "site.toml: 'titel': unknown key 'titel'"),
        ("site.toml", ('base_url = ""', 'base_url = "example.org"'), "'base_url': expected"),
        ("site.toml", ('hub_path = "{trial}', 'hub_path = "{run}'), "unknown placeholder {run}"),
        ("site.toml", ('lab = ""', "lab = 3"), "'lab': expected a string, got 3"),
        (
            "site.toml",
            ('\nintro = ""', '\nintro = "SAEs on {modle}, {layers} layers"'),
            "'intro': unknown placeholder {modle}; known: {model}, {model_id}",
        ),
        ("site.toml", ('\ntitle = ""', '\ntitle = "On {model"'), "'title': bad placeholder"),
        (
            "gallery.toml",
            ("[kd-quantities]", "[kd-quantites]"),
            "'kd-quantites': entry for an unknown rendering 'kd-quantites'",
        ),
        ("gallery.toml", ("picked = true", "picked = 'yes'"), "expected true or false"),
        ("gallery.toml", ('used_in = ["appendix", "site"]', "usedin = []"), "unknown key 'usedin'"),
        (
            "gallery.toml",
            ('rationale = "Useful', '# rationale = "Useful'),
            "'kd-quantities.rationale': missing required key",
        ),
        (
            "gallery.toml",
            ('section = "Every trial"\ncaption = "Reconstruction MSE', 'caption = "x'),
            "'training-curves.section': missing required key",
        ),
        (
            "gallery.toml",
            ('alt = "Line charts', 'alt = "{layer} Line charts'),
            "unknown placeholder {layer}",
        ),
        ("gallery.toml", ("[dashboard]", "[dashboard_removed]\n[x]"), "entry for an unknown"),
    ],
)
def test_bad_sources_give_one_line_errors(
    built_site: BuiltSite,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    edit: tuple[str, str],
    expected: str,
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(built_site.sources, sources)
    path = sources / file
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text, "the edit no longer matches the shipped file"
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    code = main(built_site.build_args(tmp_path / "site", "--site-dir", str(sources)))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and str(path) in err, err
    assert expected in err, err
    assert not (tmp_path / "site").exists()  # nothing half-built


def test_rendering_without_entry_is_an_error(built_site: BuiltSite) -> None:
    import tomllib

    from galleryforge.errors import InputError
    from galleryforge.site import load_gallery_notes

    path = built_site.sources / "gallery.toml"
    ids = [*tomllib.loads(path.read_text(encoding="utf-8")), "brand-new-figure"]
    with pytest.raises(InputError, match=r"no entry for rendering\(s\) brand-new-figure;"):
        load_gallery_notes(path, ids)


def test_shipped_sources_describe_every_registered_rendering() -> None:
    from galleryforge.renderings.registry import all_renderings
    from galleryforge.resources import data_dir
    from galleryforge.site import load_gallery_notes, load_site_config

    ids = [r.id for r in all_renderings()]
    notes = load_gallery_notes(data_dir("site") / "gallery.toml", ids)
    assert set(notes) == set(ids) and len(ids) == 25
    assert {"premium-heatmap", "dashboard", "kpi-summary", "toy-floor-vs-dstar"} <= {
        r for r, note in notes.items() if note.picked
    }
    assert not notes["professional-heatmap"].picked
    # The shipped site.toml is a template: no invented author, lab or study prose.
    shipped = load_site_config(data_dir("site") / "site.toml")
    assert (shipped.title, shipped.description, shipped.intro) == ("", "", "")
    assert (shipped.author, shipped.lab, shipped.base_url) == ("", "", "")


def test_reproducibility_lists_checkpoints_with_hub_links(
    built_site: BuiltSite, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    shutil.copytree(built_site.runs, runs)
    for tokens in (50_000, 100_000):
        for layer in range(2):
            (runs / "B" / "checkpoints" / str(tokens) / f"layer_{layer}").mkdir(parents=True)
    sources = tmp_path / "sources"
    shutil.copytree(built_site.sources, sources)
    site_toml = sources / "site.toml"
    site_toml.write_text(site_toml.read_text().replace('hub_repo = ""', 'hub_repo = "me/saes"'))
    out = tmp_path / "site"
    build_site(built_site.request(runs=runs, out=out, sources=sources))
    tags = _parse(out / "reproducibility.html")
    links = [a["href"] for tag, a in tags.tags if tag == "a" and "huggingface.co" in a["href"]]
    assert "https://huggingface.co/me/saes" in links
    assert "https://huggingface.co/me/saes/tree/main/B/100000/layer_1" in links
    text = "".join(tags.text)
    assert "tests/factories.py" in text  # provenance.json
    assert 'trial = "B"' not in text and '"B"' in text  # trial.toml, as key/value rows
    # Hub links are the only external URLs, and only plain links (nothing is fetched).
    for url in _external_urls(out):
        assert "<a href=https://huggingface.co/me/saes" in url, url


def test_serve_needs_a_built_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", "serve", "--out", str(tmp_path), "--port", "0"]) == 2
    assert "no built site here" in capsys.readouterr().err
