// Scenarios for @supabase/postgrest-js against dbrest, modelled on postgrest-js's own test
// suite (test/*.test.ts: basic, filters, transforms, resource-embedding, rpc). Each is one
// client call on the conformance fixture; they run in this order, so the write scenarios
// build on each other (tags 700/701). tests/e2e/test_postgrest_js.py holds the expectations.

export const scenarios = {
  // -- reads, embedding ------------------------------------------------------------------
  select_columns: (c) => c.from('authors').select('id, name').lte('id', 2).order('id'),
  select_alias_and_cast: (c) =>
    c.from('books').select('name:title, year::text').eq('id', 7),
  embed_many_to_one: (c) => c.from('books').select('title, authors(name)').eq('id', 1),
  embed_one_to_many_ordered_limited: (c) =>
    c.from('authors').select('name, books(id, title)').eq('id', 3)
      .order('id', { referencedTable: 'books', ascending: false })
      .limit(1, { referencedTable: 'books' }),
  embed_inner_filtered: (c) =>
    c.from('authors').select('id, books!inner(id)').eq('books.genre', 'epic'),

  // -- filters ---------------------------------------------------------------------------
  filter_eq: (c) => c.from('books').select('id').eq('author_id', 4).order('id'),
  filter_gt_lte: (c) => c.from('books').select('id').gt('year', 2010).lte('pages', 450).order('id'),
  filter_in: (c) => c.from('books').select('id').in('id', [2, 4, 99]).order('id', { ascending: false }),
  filter_like: (c) => c.from('books').select('title').like('title', '%Dune%').order('id'),
  filter_ilike: (c) => c.from('authors').select('name').ilike('name', '%le guin%'),
  filter_is_null: (c) => c.from('authors').select('id').is('birth_year', null).order('id'),
  filter_or: (c) => c.from('books').select('id').or('id.eq.1,year.gt.2016').order('id'),
  filter_not: (c) =>
    c.from('authors').select('id').not('country', 'eq', 'US').lte('id', 8).order('id'),
  filter_match: (c) => c.from('books').select('id').match({ author_id: 8, year: 1992 }),
  // `tags` is jsonb on PostgreSQL: the value is JSON text, as PostgREST's docs say
  filter_contains: (c) => c.from('books').select('id').contains('tags', '["discworld"]').order('id'),

  // -- order, limit, range, count --------------------------------------------------------
  order_nulls_first_limit: (c) =>
    c.from('authors').select('id').order('birth_year', { ascending: false, nullsFirst: true })
      .order('id').limit(3),
  range_count_partial: (c) =>
    c.from('books').select('id', { count: 'exact' }).order('id').range(2, 4),
  range_count_complete: (c) =>
    c.from('tags').select('id', { count: 'exact' }).order('id').range(0, 9),
  head_count: (c) => c.from('books').select('*', { count: 'exact', head: true }).eq('author_id', 1),

  // -- single rows, csv ------------------------------------------------------------------
  single_ok: (c) => c.from('books').select('id, title').eq('id', 2).single(),
  single_error_many: (c) => c.from('books').select('id').lte('id', 3).single(),
  single_error_none: (c) => c.from('books').select('id').eq('id', 999).single(),
  maybe_single_none: (c) => c.from('books').select('id').eq('id', 999).maybeSingle(),
  maybe_single_one: (c) => c.from('books').select('id').eq('id', 5).maybeSingle(),
  maybe_single_error_many: (c) => c.from('books').select('id').lte('id', 2).maybeSingle(),
  csv: (c) => c.from('authors').select('id, name').lte('id', 2).order('id').csv(),

  // -- writes ----------------------------------------------------------------------------
  insert_returning: (c) =>
    c.from('tags').insert({ id: 700, name: 'from-js' }).select(),
  insert_minimal: (c) => c.from('tags').insert({ id: 701, name: 'quiet' }),
  insert_bulk_count: (c) =>
    c.from('tags').insert([{ id: 702, name: 'a' }, { id: 703, name: 'b' }], { count: 'exact' })
      .select('id'),
  update_returning: (c) =>
    c.from('tags').update({ name: 'renamed' }).eq('id', 700).select('id, name'),
  upsert_returning: (c) =>
    c.from('tags').upsert([{ id: 700, name: 'upserted' }, { id: 704, name: 'new' }])
      .select().order('id'),
  // PostgREST 12+: a merging upsert that created no row answers 200, not 201
  upsert_all_existing: (c) =>
    c.from('tags').upsert({ id: 700, name: 'again' }).select('name'),
  upsert_ignore_duplicates: (c) =>
    c.from('tags').upsert({ id: 704, name: 'ignored' }, { ignoreDuplicates: true }).select(),
  delete_returning: (c) => c.from('tags').delete().gte('id', 700).select('id').order('id'),
  after_writes: (c) => c.from('tags').select('id').gte('id', 700),

  // -- errors ----------------------------------------------------------------------------
  error_unknown_column_select: (c) => c.from('books').select('nosuch'),
  error_unknown_column_insert: (c) => c.from('tags').insert({ id: 710, nosuch: 1 }).select(),
  error_unknown_table: (c) => c.from('nosuch').select(),
  error_unique_violation: (c) => c.from('tags').insert({ id: 1, name: 'classic' }),

  // -- rpc (fixtures/postgres.sql; SQLite declares no functions yet) ----------------------
  rpc_scalar: (c) => c.rpc('add_them', { a: 1, b: 2 }),
  rpc_select_filter: (c) =>
    c.rpc('books_by', { author: 1 }).select('id, title').gt('id', 1).order('id'),
  rpc_head_count: (c) => c.rpc('books_by', { author: 2 }, { head: true, count: 'exact' }),
  rpc_get: (c) => c.rpc('greet', { name: 'js' }, { get: true }),
  rpc_get_count_range: (c) =>
    c.rpc('books_by', { author: 8 }, { get: true, count: 'exact' }).select('id').order('id')
      .range(0, 1),
  rpc_single: (c) => c.rpc('books_by', { author: 3 }).select('title').eq('id', 8).single(),
  rpc_void: (c) => c.rpc('touch'),
  rpc_unknown: (c) => c.rpc('nosuch_fn', { x: 1 }),

  // -- aggregates (db_aggregates_enabled) ------------------------------------------------
  aggregate_count: (c) => c.from('books').select('count()'),
  aggregate_count_legacy: (c) => c.from('authors').select('name, books(count)').eq('id', 1),
  aggregate_grouped: (c) => c.from('books').select('genre, count()').order('genre'),
  aggregate_sum_max: (c) => c.from('books').select('pages.sum(), price.max()').eq('author_id', 1),

  // -- explain (db_plan_enabled): a plan's numbers vary, so its shape is what is compared --
  explain_text: (c) => planShape(c.from('books').select('id').eq('id', 1).explain()),
  explain_json: (c) =>
    planShape(c.from('books').select('id').eq('id', 1).explain({ format: 'json' })),
  explain_analyze_write: (c) =>
    planShape(c.from('tags').insert({ id: 720, name: 'explained' })
      .explain({ analyze: true, format: 'json' })),
  explain_wrote_nothing: (c) => c.from('tags').select('id').eq('id', 720),
}

// What a plan looks like, without its numbers: text → its first word; JSON → the keys of
// its one element and the top node's type.
async function planShape(query) {
  const result = await query
  const { data } = result
  const shape = typeof data === 'string'
    ? data.split(/\s/)[0]
    : data && { keys: Object.keys(data[0]), node: data[0].Plan['Node Type'] }
  return { ...result, data: shape }
}
