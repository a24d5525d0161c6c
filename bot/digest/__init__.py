"""The weekly digest: what moved (content), in words (view), posted once per week (post)."""
