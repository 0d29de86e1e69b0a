SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."name" AS "name", (SELECT row_to_json(_dbrest_t_t1) AS anon_1 
FROM (SELECT t1."name" AS "name" 
FROM "public"."employees" AS t1 
WHERE t1."id" = t."manager_id") AS _dbrest_t_t1) AS "manager", (SELECT coalesce(json_agg(_dbrest_t_t2), '[]') AS anon_2 
FROM (SELECT t2."name" AS "name" 
FROM "public"."employees" AS t2 
WHERE t2."manager_id" = t."id") AS _dbrest_t_t2) AS "reports" 
FROM "public"."employees" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
