import { TABLE_IDS, TABLES, type TableId } from '../../shared/tables';

/** The tables of the test run, and the environment that names them. */
export const TEST_TABLES = Object.fromEntries(TABLE_IDS.map((id) => [id, `test-${TABLES[id].defaultName}`])) as Record<TableId, string>;
export const TEST_TABLE_ENV = Object.fromEntries(TABLE_IDS.map((id) => [TABLES[id].env, TEST_TABLES[id]]));
