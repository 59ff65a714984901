"""Closing the loop: when a theme is shipped (or, if asked, will not be done), the people who heard it from
customers are each asked, once, to tell those customers: a follow-up listing their accounts, what each
said, and a note to send."""
