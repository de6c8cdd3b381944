def test_catalog_lists_courses(client, create_course):
    create_course(title="Biogas basics")
    response = client.get("/")
    assert response.status_code == 200
    assert "Biogas basics" in response.get_data(as_text=True)
