-- supamock's, not PostgREST's: the spec configuration (test/spec/SpecHelper.hs
-- baseCfg) in the in-database form PostgREST reads. Its db-extra-search-path
-- is empty, where supamock's default is Supabase's "public, extensions".
ALTER ROLE authenticator SET pgrst.db_extra_search_path = '';
