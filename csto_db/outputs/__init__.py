"""The record written out for people and for other programs: text, exports, the web view, the
chart and a release's data files."""
