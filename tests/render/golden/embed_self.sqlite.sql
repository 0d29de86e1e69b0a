SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.name, ?, json(_dbrest_t.manager), ?, json(_dbrest_t.reports))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."name" AS "name", (SELECT json_object(?, _dbrest_t_t1.name) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "employees" AS t1 
WHERE t1."id" = t."manager_id") AS _dbrest_t_t1) AS "manager", (SELECT coalesce(json_group_array(json_object(?, _dbrest_t_t2.name)), '[]') AS anon_2 
FROM (SELECT t2."name" AS "name" 
FROM "employees" AS t2 
WHERE t2."manager_id" = t."id") AS _dbrest_t_t2) AS "reports" 
FROM "employees" AS t) AS _dbrest_t
-- params: ["name", "manager", "reports", "response.headers", "response.status", "name", "name"]
