import pytest

from rag.retrieve.fusion import convex, rrf


def test_rrf_hand_computed():
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    sparse = [(3, 12.0), (1, 5.0)]
    fused = dict(rrf([dense, sparse], k=60))
    # row 1: 1/61 + 1/62 ; row 3: 1/63 + 1/61 ; row 2: 1/62
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    assert [r for r, _ in rrf([dense, sparse], k=60)] == [1, 3, 2]


def test_rrf_with_one_empty_list_keeps_the_other_order():
    assert [r for r, _ in rrf([[(5, 1.0), (4, 0.5)], []])] == [5, 4]


def test_convex_min_max_normalised():
    dense = [(1, 0.9), (2, 0.7)]  # normalised 1.0, 0.0
    sparse = [(2, 10.0), (3, 5.0)]  # normalised 1.0, 0.0
    fused = dict(convex([dense, sparse], weights=[0.6, 0.4]))
    assert fused[1] == pytest.approx(0.6)
    assert fused[2] == pytest.approx(0.4)
    assert fused[3] == pytest.approx(0.0)
