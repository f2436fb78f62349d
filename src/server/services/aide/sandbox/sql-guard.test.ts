import { describe, expect, it } from 'vitest';
import { checkSql, type SqlCheck } from './sql-guard.js';

const T = 'ds_0123456789abcdef0123456789abcdef';
const OTHER = 'ds_fedcba9876543210fedcba9876543210';
const table = { schema: 'axi_data', name: T };
const columns = ['region', 'amount', 'units', 'sold_on', 'sold_at', 'active', 'note'];

const check = (sql: string): Promise<SqlCheck> => checkSql(sql, { table, columns });

async function refusal(sql: string): Promise<{ reason: string; detail: string }> {
  const result = await check(sql);
  if (result.ok) throw new Error(`expected a refusal for: ${sql}`);
  return result;
}

describe('checkSql accepts analyst queries', () => {
  it.each([
    ['group by', `select region, sum(amount) as total from ${T} group by region order by total desc`],
    ['qualified name, LIMIT', `select * from axi_data.${T} order by sold_on desc limit 10`],
    ['quoted lowercase names', `select "region" from "axi_data"."${T}"`],
    [
      'CTE, percentages, window',
      `with by_region as (select region, sum(amount) as total from ${T} group by region)
       select region, total, round(100.0 * total / sum(total) over (), 1) as pct,
              rank() over (order by total desc) as place
       from by_region order by place`,
    ],
    [
      'date_trunc by month',
      `select date_trunc('month', sold_at) as month, count(*) from ${T} group by 1 order by 1`,
    ],
    [
      'extract, casts, CASE, COALESCE, BETWEEN, IN, LIKE',
      `select extract(year from sold_on)::int as year, case when active then 'yes' else 'no' end,
              coalesce(note, '-'), amount::numeric(12, 2)
       from ${T} where units between 1 and 10 and region in ('north', 'south') and note ilike '%a%'`,
    ],
    [
      'subquery, EXISTS, UNION',
      `select region from ${T} where amount > (select avg(amount) from ${T})
       union select region from ${T} t where exists (select 1 from ${T} u where u.units = t.units)`,
    ],
    [
      'self join with a condition',
      `select a.region, count(*) from ${T} a join ${T} b on a.region = b.region group by a.region`,
    ],
    [
      'aggregates with FILTER and WITHIN GROUP',
      `select count(*) filter (where active), percentile_cont(0.5) within group (order by amount),
              string_agg(distinct region, ', ' order by region), stddev(amount) from ${T}`,
    ],
    ['comments', `/* top regions */ select region -- the region\n from ${T}; -- end`],
    [
      'current_date, intervals',
      `select count(*) from ${T} where sold_on > current_date - interval '30 days'`,
    ],
  ])('%s', async (_, sql) => {
    const result = await check(sql);
    expect(result).toMatchObject({ ok: true });
  });

  it('returns the statement alone, without the trailing semicolon', async () => {
    expect(await check(`  select region from ${T};  `)).toEqual({ ok: true, sql: `select region from ${T}` });
  });
});

describe('checkSql refuses hostile or unsafe SQL, saying why', () => {
  it.each([
    ['; DROP TABLE', `select * from ${T}; drop table axi_data.${T}`, 'multiple_statements'],
    ['two SELECTs', `select 1; select 2`, 'multiple_statements'],
    ['a comment does not hide a statement', `select 1 /* ; */; delete from ${T} -- x`, 'multiple_statements'],
    ['pg_sleep', `select pg_sleep(10)`, 'forbidden_function'],
    ['schema-qualified pg_sleep', `select pg_catalog.pg_sleep(10) from ${T}`, 'forbidden_function'],
    ['another dataset', `select * from axi_data.${OTHER}`, 'forbidden_relation'],
    ['another dataset, unqualified', `select * from ${OTHER}`, 'forbidden_relation'],
    [
      'another dataset in a subquery',
      `select (select count(*) from ${OTHER}) from ${T}`,
      'forbidden_relation',
    ],
    ['a table in another schema', `select * from secret.credentials`, 'forbidden_relation'],
    ['information_schema', `select table_name from information_schema.tables`, 'forbidden_relation'],
    ['pg_catalog', `select relname from pg_catalog.pg_class`, 'forbidden_relation'],
    ['pg_shadow', `select passwd from pg_shadow`, 'forbidden_relation'],
    ['upper-case schema', `select * from "AXI_DATA"."${T}"`, 'forbidden_relation'],
    ['upper-case table', `select * from axi_data."${T.toUpperCase()}"`, 'forbidden_relation'],
    ['three-part name', `select * from postgres.axi_data.${T}`, 'forbidden_relation'],
    ['select into', `select * into stolen from ${T}`, 'select_into'],
    [
      'data-modifying CTE',
      `with gone as (delete from ${T} returning *) select count(*) from gone`,
      'data_modifying',
    ],
    ['insert', `insert into ${T} (region) values ('x')`, 'data_modifying'],
    ['update', `update ${T} set amount = 0`, 'data_modifying'],
    ['delete', `delete from ${T}`, 'data_modifying'],
    ['copy', `copy ${T} to stdout`, 'not_select'],
    ['copy to program', `copy (select 1) to program 'id'`, 'not_select'],
    ['set role', `set role postgres`, 'not_select'],
    ['set', `set statement_timeout = 0`, 'not_select'],
    ['lock', `lock table ${T}`, 'not_select'],
    ['do', `do $$ begin perform pg_sleep(10); end $$`, 'not_select'],
    ['call', `call some_procedure()`, 'not_select'],
    ['drop', `drop table ${T}`, 'not_select'],
    ['for update', `select * from ${T} for update`, 'locking_clause'],
    ['set_config', `select set_config('role', 'postgres', true)`, 'forbidden_function'],
    ['current_setting', `select current_setting('data_directory')`, 'forbidden_function'],
    ['pg_read_file', `select pg_read_file('/etc/passwd')`, 'forbidden_function'],
    ['lo_import', `select lo_import('/etc/passwd')`, 'forbidden_function'],
    ['dblink', `select * from ${T} where region = dblink('host=x', 'select 1')`, 'forbidden_function'],
    ['generate_series in FROM', `select count(*) from generate_series(1, 1e12)`, 'forbidden_function'],
    ['unknown function', `select md5(region) from ${T}`, 'forbidden_function'],
    ['function in another schema', `select public.lower(region) from ${T}`, 'forbidden_function'],
    ['current_user', `select current_user`, 'forbidden_function'],
    ['regclass cast', `select 'pg_authid'::regclass`, 'forbidden_type'],
    [
      'a CTE named like a catalog does not leak out of its scope',
      `select * from (with pg_class as (select 1) select 1) s, pg_class`,
      'forbidden_relation',
    ],
    [
      'recursive CTE',
      `with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r`,
      'too_complex',
    ],
    ['three-way cross join', `select count(*) from ${T} a, ${T} b, ${T} c`, 'too_complex'],
    [
      'cross joins spelled CROSS JOIN and ON TRUE',
      `select count(*) from ${T} a cross join ${T} b join ${T} c on true`,
      'too_complex',
    ],
    [
      'too many joins',
      `select 1 from ${T} a join ${T} b using (region) join ${T} c using (region) join ${T} d using (region)`,
      'too_complex',
    ],
    [
      'deep nesting',
      `select * from (select * from (select * from (select * from (select * from (select * from ${T}) a) b) c) d) e`,
      'too_complex',
    ],
    ['TABLESAMPLE', `select * from ${T} tablesample system (10)`, 'forbidden_construct'],
    ['a made-up column', `select revenue from ${T}`, 'unknown_column'],
    ['not SQL', `show me the money`, 'parse_error'],
    ['nothing', `  -- just a comment`, 'empty'],
  ])('%s', async (_, sql, reason) => {
    const result = await refusal(sql);
    expect(result.reason).toBe(reason);
    expect(result.detail.length).toBeGreaterThan(10);
  });

  it('names what it found and why', async () => {
    expect((await refusal(`select pg_sleep(10)`)).detail).toMatch(/pg_sleep\(\) .*wait/);
    expect((await refusal(`select * from pg_shadow`)).detail).toMatch(/"pg_shadow" is a system catalog/);
    expect((await refusal(`select * from axi_data.${OTHER}`)).detail).toContain(OTHER);
    expect((await refusal(`select revenue from ${T}`)).detail).toMatch(/no column "revenue".*region, amount/);
    expect(
      (await refusal(`with d as (update ${T} set units = 0 returning *) select * from d`)).detail,
    ).toMatch(/"d" is UPDATE/);
  });

  it('refuses text longer than the limit', async () => {
    const long = `select region from ${T} where note = '${'x'.repeat(200)}'`;
    const result = await checkSql(long, { table, columns, limits: { maxSqlLength: 100 } });
    expect(result).toMatchObject({ ok: false, reason: 'too_complex' });
  });
});
