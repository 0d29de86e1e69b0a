SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, json(_dbrest_t.book_details))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT json_object(?, _dbrest_t_t1.isbn) AS anon_1 
FROM (SELECT t1."isbn" AS "isbn" 
FROM "book_details" AS t1 
WHERE t1."book_id" = t."id") AS _dbrest_t_t1) AS "book_details" 
FROM "books" AS t) AS _dbrest_t
-- params: ["id", "book_details", "response.headers", "response.status", "isbn"]
