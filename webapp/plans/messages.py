"""What the session editor says to the coach about the text view, an imported file and the
exercise picker: each sentence once, so the page, its HTMX panels and the tests agree."""

TEXT_READ = "Read into the form."
TEXT_NOT_READ = "Not read: the form keeps its last workout. Fix these lines:"
TEXT_PROBLEMS = "The text cannot be read yet:"
NO_EXERCISE_FOUND = "No exercise in the catalog has those words."
TYPE_TO_FIND = "Type a few letters of the exercise to find it."
