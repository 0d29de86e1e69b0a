SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT row_to_json(_dbrest_t_t1) AS anon_1 
FROM (SELECT t1."isbn" AS "isbn" 
FROM "public"."book_details" AS t1 
WHERE t1."book_id" = t."id") AS _dbrest_t_t1) AS "book_details" 
FROM "public"."books" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
