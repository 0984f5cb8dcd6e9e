-- Seed rows with edge values: NULLs, unicode, quotes, big numbers, negative
-- zero, infinite dates and timestamps, empty arrays and ranges.
insert into kinds (id, i2, i4, i8, num, f4, f8, txt, vc, ch, flag, uid, d, ts, tstz,
                   js, jb, tags, nums, m, pos, doc, r4, rn, rd, rts) values
  (1, 1, 10, 100, 1.5, 1.25, 2.5, 'alpha', 'a', 'ab', true,
   '00000000-0000-4000-8000-000000000001', '2024-02-29', '2024-02-29 12:34:56',
   '2024-02-29 12:34:56+00', '{"a": 1, "b": [1, 2]}', '{"a": 1, "b": [1, 2], "c": {"d": "e"}}',
   '{red,green}', '{1,2,3}', 'happy', 1, 'the quick brown fox', '[1,10)', '[1.5,2.5]',
   '[2024-01-01,2024-12-31)', '[2024-01-01 00:00:00+00,2024-06-01 00:00:00+00)'),
  (2, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
   null, null, null, null, null, null, null, null, null, null, null),
  (3, -32768, -2147483648, 9223372036854775807, -0.001, -0, -0, 'quote '' "double" \back',
   'ünï', 'x', false, 'ffffffff-ffff-4fff-bfff-ffffffffffff', 'infinity', '-infinity',
   'infinity', '[]', '{}', '{}', '{}', 'sad', 2147483647, '', 'empty', 'empty', '(,)',
   '(,2024-01-01 00:00:00+00]'),
  (4, 32767, 2147483647, -9223372036854775808, 123456789.123, 3.4e38, 1e308, 'Ünicode ☃ 日本',
   'tab	x', 'abcd', true, '0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d', '-infinity',
   '1999-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', '"just a string"',
   '[1, "two", null, true, {"x": []}]', '{"with space","with,comma","",NULL}', '{-1,0,NULL}', 'ok',
   3, 'jumps over the lazy dog', '[-5,5]', '(,0)', '[2025-01-01,)', 'empty'),
  (5, 0, 0, 0, 0, 0.1, 0.1, 'alpha beta', 'alpha', 'al', null,
   '00000000-0000-4000-8000-000000000005', '2000-01-01', '2000-01-01 00:00:00',
   '2000-01-01 00:00:00-08', 'null', 'null', '{alpha}', '{5}', null, null, 'alpha & beta', '[0,1)',
   '[0,0]', '[2000-01-01,2000-01-02)', null);

insert into teams (id, name, slug) values
  (1, 'Alpha', 'alpha'), (2, 'Beta "b"', 'beta'), (3, 'Gamma ☃', 'gamma');

insert into members (team_id, user_id, role) values
  (1, '13ab4cf1-8587-4685-874b-c2d37beeab38', 'owner'),
  (2, '13ab4cf1-8587-4685-874b-c2d37beeab38', 'member'),
  (2, '8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f', 'owner');

insert into projects (id, team_id, parent_id, owner_id, title, budget, is_public, state) values
  (1, 1, null, '13ab4cf1-8587-4685-874b-c2d37beeab38', 'Root', 1000.50, true, 'happy'),
  (2, 1, 1, '13ab4cf1-8587-4685-874b-c2d37beeab38', 'Child one', 0, false, 'ok'),
  (3, 1, 1, '8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f', 'Child two', null, true, 'sad'),
  (4, 2, null, '8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f', 'Beta''s plan', -12.25, false, 'ok'),
  (5, 3, null, null, 'Orphan ☃', 99999999.99, true, 'happy'),
  (6, null, 3, null, 'No team', null, false, 'sad');

insert into tags (id, label) values (1, 'red'), (2, 'green'), (3, 'blue'), (4, 'unused');

insert into project_tags (project_id, tag_id) values (1, 1), (1, 2), (2, 2), (3, 3), (5, 1);

insert into versions (project_id, version, notes) values
  (1, 1, 'first'), (1, 2, null), (3, 1, 'only'), (5, 1, 'x');

insert into releases (id, project_id, version, channel) values
  (1, 1, 1, 'stable'), (2, 1, 2, 'beta'), (3, 3, 1, 'stable');

insert into notes (id, author_email, body, private) values
  (1, 'demo@example.com', 'mine, private', true),
  (2, 'demo@example.com', 'mine, public', false),
  (3, 'other@example.com', 'theirs, private', true),
  (4, null, 'nobody''s', false);
