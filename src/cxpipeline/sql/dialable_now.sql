-- Records that may be dialed at this moment: their window contains now().
CREATE OR REPLACE VIEW dialable_now AS
SELECT *
FROM dialable_windows
WHERE window_start_utc <= now() AND now() < window_end_utc;
