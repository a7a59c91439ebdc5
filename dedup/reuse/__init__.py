"""Text reuse between two documents: passages of one reused in the other, and how to measure finding them."""
