-- Fill a netoops store (schema made by netoopsd) at fleet size for bench/web.sh: DUMPS dumps
-- over 30 days, one report each, in GROUPS groups (every group hit, most reports in few
-- groups), from HOSTS hosts (every host heard), 8 kernel releases, texts of real oopses.
-- The shell substitutes @DUMPS@ @GROUPS@ @HOSTS@ @NOW@ @TEXT@ before running it.
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE pick AS
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @DUMPS@)
SELECT i,
       CASE WHEN i <= @GROUPS@ THEN i
            ELSE 1 + abs(random()) % (1 + abs(random()) % @GROUPS@) END AS g,
       CASE WHEN i <= @HOSTS@ THEN i - 1 ELSE abs(random()) % @HOSTS@ END AS h,
       @NOW@ - abs(random()) % (30 * 86400000) AS t
FROM n;
CREATE TEMP TABLE d2 AS
SELECT row_number() OVER (ORDER BY t, i) AS id, g, h, t,
       printf('6.1.0-%d-amd64', 20 + (g + h) % 8) AS rel,
       printf('BUG: unable to handle page fault for address in func_%d', g) AS title
FROM pick;
INSERT INTO dumps (id, format, host, source, boot, dump_no, reason, release, dump_time_us,
                   received_ms, receive_span_ms, complete, parts, parts_received, missing,
                   title, type, kernel, n_reports, text, text_len, analysis)
SELECT id, 'netoops', printf('host-%05d', h),
       printf('10.%d.%d.%d:6666', h / 65536, (h / 256) % 256, h % 256), printf('%032x', h), 1,
       CASE WHEN g % 7 = 0 THEN 'panic' ELSE 'oops' END, rel, 0, t, 3, 1, 4, 4, '[]',
       title, 'page-fault', rel, 1, CAST(readfile('@TEXT@') AS TEXT),
       length(CAST(readfile('@TEXT@') AS BLOB)), 'ok'
FROM d2;
INSERT INTO groups (id, signature, title, type, first_seen_ms, last_seen_ms, count)
SELECT g, printf('v2:%040d', g), min(title), 'page-fault', min(t), max(t), count(*)
FROM d2 GROUP BY g;
INSERT INTO reports (dump_id, seq, is_primary, title, class, type, corrupted, kernel, taint,
                     taint_mask, cpu, pid, comm, hardware, die_counter, panic_msg, rip, frames,
                     modules, signature, group_id, text_start, text_end)
SELECT id, 0, 1, title, 'page fault', 'page-fault', 0, rel, 'G OE', 12288, h % 4, 1000 + h,
       'kworker/0:1', 'QEMU Standard PC', 1, NULL, printf('func_%d', g),
       printf('[{"func":"func_%d","offset":28,"size":64,"module":null,"reliable":true,"section":"TASK"},'
              || '{"func":"do_syscall_64","offset":85,"size":176,"module":null,"reliable":true,"section":"TASK"}]', g),
       '[{"name":"crash","taints":"OE"}]', printf('v2:%040d', g), g, 0, 200
FROM d2;
INSERT OR IGNORE INTO group_hosts SELECT DISTINCT g, printf('host-%05d', h) FROM d2;
INSERT OR IGNORE INTO group_kernels SELECT DISTINCT g, rel FROM d2;
COMMIT;
ANALYZE;
