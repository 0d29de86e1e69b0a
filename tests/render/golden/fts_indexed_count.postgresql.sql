SELECT (SELECT count(*) AS count_1 
FROM "public"."articles" AS t 
WHERE to_tsvector(t."body") @@ to_tsquery(CAST($1 AS TEXT)) OR to_tsvector(t."body") @@ phraseto_tsquery(CAST($2 AS TEXT))) AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($3::VARCHAR, true) AS response_headers, current_setting($4::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "public"."articles" AS t 
WHERE to_tsvector(t."body") @@ to_tsquery(CAST($1 AS TEXT)) OR to_tsvector(t."body") @@ phraseto_tsquery(CAST($2 AS TEXT))) AS _dbrest_t
-- params: ["a:*", "b c", "response.headers", "response.status"]
