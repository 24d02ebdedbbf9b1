-- The database was created with the server's default character set (latin1 on a plain
-- MariaDB), so a category such as '食品' was stored as '??'. Text is utf8mb4, compared as
-- bytes: categories that differ in case or accents stay apart, as the projector's fold keeps
-- them (a Map keyed by the exact string).
ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE user_recap_data CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE user_recap_categories CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE projector_offsets CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE read_model_fixtures CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE read_model_fixture_chunks CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
