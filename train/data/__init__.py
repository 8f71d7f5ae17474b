"""The labelled data: one module per data source, one validator each, one loader.

    validation.py   what every source's check shares: the reader (indosec.records), file:line
                    problems, the one near-duplicate check
    sentences.py    data/{train,validation,test}.jsonl: labelled sentences
    articles.py     data/articles/: whole articles labelled sentence by sentence
    splits.py       what a run trains and is evaluated on (`load_splits`), and `Splits`, what
                    one evaluation reads
    __main__.py     python -m train.data validate data/

A new source (the contrast suite, a user's article files) is one more module like
articles.py, read by splits.py and checked by __main__.py.
"""
