"""What leaves the app as a file or a picture: exports, summaries, reports, charts."""
