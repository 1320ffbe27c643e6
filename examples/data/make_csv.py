"""Writes the CSV example datasets from the copies that Debian's python3-sklearn ships.

Run with Debian's interpreter (apt-get install python3-sklearn): /usr/bin/python3 make_csv.py
The outputs are committed, so nobody needs to run this to use the examples.
  breast-cancer.csv  Wisconsin diagnostic breast cancer: 569 rows, 30 features, label 'diagnosis'
  diabetes.csv       diabetes progression: 442 rows, 10 features (unscaled), target 'progression'
"""
import csv

from sklearn.datasets import load_breast_cancer, load_diabetes


def write(path, names, rows, label, labels):
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow([n.replace(" ", "_") for n in names] + [label])
        for row, y in zip(rows, labels):
            out.writerow([f"{v:.6g}" for v in row] + [y])


cancer = load_breast_cancer()
write("breast-cancer.csv", cancer.feature_names, cancer.data, "diagnosis", [cancer.target_names[t] for t in cancer.target])
diabetes = load_diabetes(scaled=False)
write("diabetes.csv", diabetes.feature_names, diabetes.data, "progression", [f"{t:g}" for t in diabetes.target])
