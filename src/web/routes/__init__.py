"""The pages, by concern: sign-in, the candidate's, the goal page, supervisors' and leaders'."""
