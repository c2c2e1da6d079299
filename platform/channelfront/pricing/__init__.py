"""Partner programs, enrollments, authorization and buy prices."""
