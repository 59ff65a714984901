"""Theme upkeep: the job that keeps each workspace's themes in step with its lines (job), what is due and
one pass of it (work), and the lease that lets one replica at a time do it (lease)."""
