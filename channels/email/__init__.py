"""Email: IMAP in (IDLE or polling), SMTP out, threading that keeps conversations whole."""
