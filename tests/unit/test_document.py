"""The article splitter on articles shaped like scraped Indonesian online news."""

import pytest

from indosec.document import split_sentences

ARTICLE = """\
Bom Mobil Guncang Pasar Idlib, 16 Warga Sipil Tewas

BAGHDAD, Limadetik.com — Sebuah bom mobil meledak di pasar sayur kota Idlib, Senin (1/9/2018). Sedikitnya 16 orang tewas dan 2.050 orang mengungsi.

"Kami tidak akan mundur. Kami akan terus membantu warga," kata dr. H. Ahmad Yusuf dari Helm Putih. Kerugian ditaksir Rp 1,5 juta per kios.

Baca Juga: Turki Gempur Afrin, Ribuan Warga Mengungsi

Bantuan dikirim ke Jl. Merdeka No. 5, Kec. Maarat, Kab. Idlib a.n. Palang Merah. Polisi masih menyelidiki pelaku. (ARN/Red)

BAGHDAD, Limadetik.com — Sebuah bom mobil meledak di pasar sayur kota Idlib, Senin (1/9/2018). Sedikitnya 16 orang tewas dan 2.050 orang mengungsi.

Editor : Budi Santoso
TAG
Suriah
Bom Mobil
SHARE THIS:
"""

EXPECTED = [
    "Bom Mobil Guncang Pasar Idlib, 16 Warga Sipil Tewas",
    "Sebuah bom mobil meledak di pasar sayur kota Idlib, Senin (1/9/2018).",
    "Sedikitnya 16 orang tewas dan 2.050 orang mengungsi.",
    '"Kami tidak akan mundur. Kami akan terus membantu warga," kata dr. H. Ahmad Yusuf dari Helm Putih.',
    "Kerugian ditaksir Rp 1,5 juta per kios.",
    "Bantuan dikirim ke Jl. Merdeka No. 5, Kec. Maarat, Kab. Idlib a.n. Palang Merah.",
    "Polisi masih menyelidiki pelaku.",
]

SECOND_ARTICLE = """\
Kapal Penjaga Pantai China Kembali Masuki Natuna
JAKARTA (Antara) - Tiga kapal penjaga pantai China memasuki perairan Natuna Utara pada Kamis pagi. Bakamla RI langsung mengirim dua kapal patroli!
Apakah ini pelanggaran kedaulatan? Menurut Laksdya TNI Aan Kurnia, jawabannya jelas... Indonesia tidak akan mundur.
“Perairan itu milik kami. Tidak ada kompromi,” ujar juru bicara Kemlu. Pernyataan itu disampaikan di Jakarta. (esn)
"""

SECOND_EXPECTED = [
    "Kapal Penjaga Pantai China Kembali Masuki Natuna",
    "Tiga kapal penjaga pantai China memasuki perairan Natuna Utara pada Kamis pagi.",
    "Bakamla RI langsung mengirim dua kapal patroli!",
    "Apakah ini pelanggaran kedaulatan?",
    "Menurut Laksdya TNI Aan Kurnia, jawabannya jelas...",
    "Indonesia tidak akan mundur.",
    "“Perairan itu milik kami. Tidak ada kompromi,” ujar juru bicara Kemlu.",
    "Pernyataan itu disampaikan di Jakarta.",
]


def texts(article, **kwargs):
    return [s.text for s in split_sentences(article, **kwargs)]


@pytest.mark.parametrize("article, expected", [(ARTICLE, EXPECTED), (SECOND_ARTICLE, SECOND_EXPECTED)])
def test_articles_split_into_the_expected_sentences(article, expected):
    assert texts(article) == expected


@pytest.mark.parametrize("article", [ARTICLE, SECOND_ARTICLE, ARTICLE.replace("\n", "\r\n")])
def test_offsets_point_into_the_original_text(article):
    spans = split_sentences(article)
    assert spans and all(article[s.start : s.end] == s.text for s in spans)
    assert [s.start for s in spans] == sorted(s.start for s in spans)


@pytest.mark.parametrize(
    "line",
    [
        "BAGHDAD, Limadetik.com — Pasukan Irak merebut kembali kota itu.",
        "DAMASKUS - Pasukan Irak merebut kembali kota itu.",
        "JAKARTA (Antara) - Pasukan Irak merebut kembali kota itu.",
        "Liputan6.com, Jakarta - Pasukan Irak merebut kembali kota itu.",
        "Jakarta, CNN Indonesia -- Pasukan Irak merebut kembali kota itu.",
        "KOMPAS.com – Pasukan Irak merebut kembali kota itu.",
    ],
)
def test_datelines_are_left_out_of_the_sentence(line):
    assert texts(line) == ["Pasukan Irak merebut kembali kota itu."]


@pytest.mark.parametrize(
    "line",
    [
        "Presiden Joko Widodo - yang baru tiba dari Bali - meninjau lokasi ledakan.",
        "BOM GUNCANG IDLIB - 16 TEWAS",
    ],
)
def test_dashes_that_are_not_datelines_stay(line):
    assert texts(line) == [line]


@pytest.mark.parametrize(
    "sentence",
    [
        "Posko berada di Jl. Sudirman No. 12 RT. 03 Kel. Menteng, Kec. Menteng, Kab. Bogor.",
        "Jenazah diperiksa dr. Siti dan Prof. Dr. Budi di RS Polri.",
        "Sumbangan atas nama a.n. H. Abdullah, S.H., M.Si. diterima panitia.",
        "Kapolres AKBP Budi Santoso dan Brigjen Pol. Ahmad memimpin operasi.",
        "Sebanyak 2.050 orang mengungsi dan kerugian mencapai 1,5 juta dolar AS.",
        "Ledakan terjadi pada Sabtu (1/9/2018) sekitar pukul 10.30 WIB.",
        "Informasi lengkap ada di situs Limadetik.com dan www.antaranews.com hari ini.",
    ],
)
def test_abbreviations_numbers_dates_and_domains_do_not_end_a_sentence(sentence):
    assert texts(sentence) == [sentence]


def test_a_number_or_a_quote_can_start_the_next_sentence():
    assert texts('Korban tewas 16 orang. 20 lainnya luka. "Kami berduka," kata bupati.') == [
        "Korban tewas 16 orang.", "20 lainnya luka.", '"Kami berduka," kata bupati.'
    ]


def test_an_unclosed_quote_does_not_swallow_the_paragraph():
    assert texts('"Kami tidak akan mundur. Kami siap bertempur. Polisi berjaga di lokasi.') == [
        '"Kami tidak akan mundur.', "Kami siap bertempur.", "Polisi berjaga di lokasi."
    ]


def test_quotes_do_not_reach_across_paragraphs():
    article = '"Kami siap bertempur.\nPolisi berjaga di lokasi. "Aman," katanya.'
    assert texts(article) == ['"Kami siap bertempur.', "Polisi berjaga di lokasi.", '"Aman," katanya.']


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Baca Juga: Turki Gempur Afrin", "BACA JUGA : Turki Gempur Afrin", "Editor : Budi", "Penulis: Ani",
        "Foto: Reuters", "SHARE THIS:", "Tags: Suriah, Idlib", "(ARN/Red)", "(esn)", "Copyright © 2018 Limadetik",
    ],
)
def test_boilerplate_lines_are_dropped(boilerplate):
    assert texts(f"Bom meledak di Idlib.\n{boilerplate}\nPolisi berjaga.") == ["Bom meledak di Idlib.", "Polisi berjaga."]


@pytest.mark.parametrize("header", ["Baca Juga :", "BACA JUGA", "Baca juga:", "Simak Juga:"])
def test_the_headline_linked_from_a_bare_baca_juga_line_is_dropped(header):
    """Liputan6-style: the linked headline sits on the line after "Baca Juga"."""
    article = f"Bom meledak di Idlib.\n\n{header}\n\nTurki Gempur Afrin, 12 Milisi Tewas\n\nPolisi berjaga."
    assert texts(article) == ["Bom meledak di Idlib.", "Polisi berjaga."]


@pytest.mark.parametrize("article, expected", [
    # a bulleted list after a bare "Baca Juga:" is dropped, and the paragraph after it kept
    ("Bom meledak di Idlib.\nBaca Juga:\n- Turki Gempur Afrin\n- Rusia Kirim Polisi Militer\nPolisi berjaga di lokasi.",
     ["Bom meledak di Idlib.", "Polisi berjaga di lokasi."]),
    # a sentence after it is not taken for a linked headline
    ("Bom meledak di Idlib.\nBaca Juga:\nPolisi berjaga di lokasi sejak pagi dan menutup jalan menuju pasar.",
     ["Bom meledak di Idlib.", "Polisi berjaga di lokasi sejak pagi dan menutup jalan menuju pasar."]),
    # tag words after a bare TAG line are dropped until a sentence
    ("Bom meledak di Idlib.\nTAG\nSuriah\nBom Mobil\nPolisi masih menyelidiki pelaku serangan itu.",
     ["Bom meledak di Idlib.", "Polisi masih menyelidiki pelaku serangan itu."]),
])
def test_what_follows_a_bare_baca_juga_or_tag_line(article, expected):
    assert texts(article) == expected


def test_a_credit_inside_a_sentence_stays():
    sentence = "Pasukan Tentara Nasional Indonesia (TNI) berjaga di perbatasan."
    assert texts(sentence + " (ant/rid)") == [sentence]


def test_repeated_sentences_come_once_unless_dedupe_is_off():
    article = "Bom meledak di Idlib.\nPolisi berjaga.\nBom  meledak di Idlib."
    assert texts(article) == ["Bom meledak di Idlib.", "Polisi berjaga."]
    assert len(texts(article, dedupe=False)) == 3


def test_hard_wrapped_lines_are_joined_but_headlines_are_not():
    article = "Kapal China Masuki Natuna\nTiga kapal penjaga pantai memasuki\nperairan Natuna pada Kamis."
    spans = split_sentences(article)
    assert [s.text for s in spans] == ["Kapal China Masuki Natuna", "Tiga kapal penjaga pantai memasuki\nperairan Natuna pada Kamis."]


def test_emoji_and_other_scripts_pass_through():
    assert texts("Bom meledak 💣🔥. الله أكبر. 中国海警船进入纳土纳。") == ["Bom meledak 💣🔥.", "الله أكبر.", "中国海警船进入纳土纳。"]


@pytest.mark.parametrize("article", ["", "   \n\t\n", "***\n---", "Baca Juga: Bom di Idlib\nEditor : Budi\n(esn)"])
def test_no_sentences_in_empty_or_boilerplate_only_text(article):
    assert split_sentences(article) == []


@pytest.mark.parametrize("bad", [None, b"Bom meledak.", 42, ["Bom meledak."]])
def test_non_string_article_is_a_type_error(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        split_sentences(bad)


def test_a_megabyte_without_punctuation_is_cut_into_bounded_pieces():
    article = " ".join(f"kata{i}" for i in range(120_000))  # ~1 MB, one line, no full stop
    spans = split_sentences(article, max_chars=2000)
    assert len(article) > 1_000_000
    assert all(0 < len(s.text) <= 2000 and article[s.start : s.end] == s.text for s in spans)
    assert " ".join(s.text for s in spans) == article  # cut only at spaces, nothing lost
    unbroken = "a" * 5000
    assert [len(s.text) for s in split_sentences(unbroken, max_chars=2000, dedupe=False)] == [2000, 2000, 1000]


# Cases found while labelling whole articles (data/articles/): each was a wrong boundary or kept furniture.

@pytest.mark.parametrize("line, sentence", [
    ("Jakarta - Pemerintah Indonesia menyatakan prihatin.", "Pemerintah Indonesia menyatakan prihatin."),
    ("Teheran, ParsToday – Kemlu Iran mengecam serangan itu.", "Kemlu Iran mengecam serangan itu."),
    ("Al Mayadeen Indonesia - Pasukan pendudukan terus bergerak.", "Pasukan pendudukan terus bergerak."),
    ("Kyiv - Dinas Keamanan Ukraina mengklaim serangan itu.", "Dinas Keamanan Ukraina mengklaim serangan itu."),
])
def test_title_case_datelines_are_left_out(line, sentence):
    assert texts(line) == [sentence]


@pytest.mark.parametrize("headline", [
    "BAQIYAH! Kabar Gembira dari Bumi Syam Meski Musuh Bersorak",
    "Apa yang Terjadi di El Fasher? Ini 5 Fakta Jatuhnya Kota Terakhir Darfur",
    "Allahu Akbar! Damaskus Merdeka, Rezim Runtuh Setelah 54 Tahun",
])
def test_a_headline_is_not_cut_at_its_exclamation_or_question_mark(headline):
    assert texts(headline + "\n\nBody paragraph satu. Body paragraph dua.")[0] == headline


@pytest.mark.parametrize("article, expected", [
    ("Pertempuran menghancurkan sebagian besar kota. Observatorium mencatat 3.250 orang tewas.",
     ["Pertempuran menghancurkan sebagian besar kota.", "Observatorium mencatat 3.250 orang tewas."]),
    ("Saya mengusulkan tiga hal. Pertama, pengawasan. Lihat hal. 12 untuk rinciannya.",
     ["Saya mengusulkan tiga hal.", "Pertama, pengawasan.", "Lihat hal. 12 untuk rinciannya."]),
    ("Isak tangis pecah di rumah keluarga Moh. Faqih di Desa Larangan.", ["Isak tangis pecah di rumah keluarga Moh. Faqih di Desa Larangan."]),
    ("Berikut faktanya:\n1. Pengepungan selama 18 bulan\n2. Laporan pembantaian di rumah sakit",
     ["Berikut faktanya:", "1. Pengepungan selama 18 bulan", "2. Laporan pembantaian di rumah sakit"]),
])
def test_words_that_are_not_abbreviations_end_sentences_and_list_numbers_do_not(article, expected):
    assert texts(article) == expected


@pytest.mark.parametrize("credit", ["(AP Photo)", "(Dok. Prokopim)", "(Uu.G003)", "(T.G001/B. Kunto)", "(IRIB Indonesia/PH)",
                                    "(tribun-medan.com/fbg)", "(FOTO: RADAR LAMONGAN)"])
def test_credits_after_the_last_sentence_or_alone_are_cut(credit):
    assert texts(f"Bupati meninjau lokasi, Senin (8/7/2024). {credit}\n{credit}\nPolisi berjaga.") == [
        "Bupati meninjau lokasi, Senin (8/7/2024).", "Polisi berjaga."]


@pytest.mark.parametrize("furniture", [
    "Oleh: Dr. Nur Hidayah Lestari", "Oleh Yosef Kambu", "Kolom oleh Hendra Wijaya", "OLEH: HILMAN FAUZI",
    "Penulis Rahma Dewi | Editor Irwan Santoso", "*Penulis adalah peneliti di Pusat Kajian Timur Tengah.",
    "(Penulis adalah analis keamanan maritim di Jakarta.)", "*) Tulisan ini adalah kiriman pembaca.",
    "Simak video pilihan berikut ini:", "Simak Video \"Momen Ledakan di Makassar\"", "Pilihan Editor: Junta Mali Usir MINUSMA",
    "Baca: Erdogan Ancam Serang Milisi Kurdi", "Dapatkan update berita pilihan setiap hari dari Kompas.com.",
    "Ikuti berita terkini Sputnik Indonesia di Telegram.", "Red: Fathurrahman", "Kontributor: Abu Hanif",
    "Penerjemah: Mohamad Anthoni", "Laporan Wartawan Tribun Medan, Fatah Baginda", "REUTERS | AL JAZEERA | ANADOLU",
    "OPINI", "ANDITA RAHMA", "[Kanal Pembawa Kabar | Repost dari Amaq]", "Enditem", "Selesai",
    "Diterjemahkan oleh Tim Al-Ghuraba.", "Artikel ini telah dibagikan 1.872 kali",
])
def test_page_furniture_lines_are_dropped(furniture):
    assert texts(f"Bom meledak di Idlib.\n{furniture}\nPolisi berjaga.") == ["Bom meledak di Idlib.", "Polisi berjaga."]


def test_a_sentence_that_opens_with_oleh_stays():
    assert texts("Oleh karena itu, pemerintah menunda kunjungan.\nOleh sebab itu warga diminta tenang.") == [
        "Oleh karena itu, pemerintah menunda kunjungan.", "Oleh sebab itu warga diminta tenang."]
