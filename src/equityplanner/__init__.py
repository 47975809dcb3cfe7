"""equityplanner: ex-ante equity assessment of proposed housing and transit projects."""
__version__ = "0.1.0"
