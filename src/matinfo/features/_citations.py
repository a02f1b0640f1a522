"""BibTeX entries cited by several featurizers (one copy each)."""

from __future__ import annotations

__all__ = ["WARD_2016", "ONG_2013"]

WARD_2016 = """@article{ward_2016,
  author = {Ward, Logan and Agrawal, Ankit and Choudhary, Alok and Wolverton, Christopher},
  title = {A general-purpose machine learning framework for predicting properties of inorganic materials},
  journal = {npj Computational Materials}, volume = {2}, pages = {16028}, year = {2016},
  doi = {10.1038/npjcompumats.2016.28}
}"""
ONG_2013 = """@article{ong_2013,
  author = {Ong, Shyue Ping and Richards, William Davidson and Jain, Anubhav and Hautier, Geoffroy and
            Kocher, Michael and Cholia, Shreyas and Gunter, Dan and Chevrier, Vincent L. and Persson, Kristin A.
            and Ceder, Gerbrand},
  title = {Python Materials Genomics (pymatgen): A robust, open-source python library for materials analysis},
  journal = {Computational Materials Science}, volume = {68}, pages = {314--319}, year = {2013},
  doi = {10.1016/j.commatsci.2012.10.028}
}"""
