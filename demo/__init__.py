"""Data the portal is shown, tested and measured with, kept out of the domain app: the
Zhumadian demo (``seed_demo``, ``zhumadian.py``) with the article's figures it reproduces
(``article.py``), synthetic data at any size (``generate_data``, ``synthetic.py``) and the
page benchmark (``bench``). It has no models; ``cases`` never imports it."""
