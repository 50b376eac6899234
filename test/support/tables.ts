export const TEST_TABLES = { usersTable: 'test-users', blacklistTable: 'test-blacklist' };
