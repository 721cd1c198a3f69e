"""The demo inbox and the classifier's labelled corpus."""
